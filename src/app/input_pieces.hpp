#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analysis/partial_result.hpp"
#include "capture/capture_reader.hpp"
#include "reassembly/packet_dissector.hpp"

namespace pa::app {

inline constexpr std::uint64_t no_end = UINT64_MAX;

// A piece of the input, read on its own by -j N's threads or MPI's ranks: a whole file, or the
// records of a classic pcap file that start in [begin, end).
struct PiecePlan {
  std::size_t file_index = 0;
  std::uint64_t begin = 0;  // a record's start: guessed, but for a file's first piece
  std::uint64_t end = no_end;
  bool whole = false;
};

// How big the pieces of plan_pieces are.
enum class PieceSizes : std::uint8_t {
  // About four per worker, alike: for pieces dealt out in turn (MPI: piece k to rank k mod R).
  alike,
  // Each a (2 x workers)-th of the bytes left after the pieces before it, so that they shrink
  // towards the end: for workers that take the next piece when they finish one (-j N). With
  // pieces alike, the last one was often read by one thread while the other stood idle.
  tapering,
};

// The pieces in processing order (the files' concatenation), none under `smallest_piece_bytes`
// but a file's own smaller rest; pcapng, compressed files and standard input whole.
std::vector<PiecePlan> plan_pieces(
    const std::vector<std::unique_ptr<capture::CaptureReader>>& readers, unsigned workers,
    std::uint64_t smallest_piece_bytes, PieceSizes sizes = PieceSizes::alike);

// Where the tapering pieces of `total` bytes end, as offsets into it, ascending; the last piece
// runs from the last offset to `total`. Empty when `total` is under twice `smallest`.
std::vector<std::uint64_t> tapering_piece_ends(std::uint64_t total, unsigned workers,
                                               std::uint64_t smallest);

// The size of a plain (uncompressed, regular) file, for splitting and for progress.
std::optional<std::uint64_t> plain_file_size(const capture::CaptureReader& reader);

// What reading one piece found.
struct PieceOutcome {
  analysis::PartialResult piece_result;  // packet numbers counted from the piece's first record
  std::uint64_t records = 0;
  std::uint64_t end_offset = 0;  // where its last record ended
  std::optional<capture::ReadProblem> problem;
  std::int64_t first_timestamp_ns = 0;
  std::int64_t last_timestamp_ns = 0;
  std::int64_t earliest_timestamp_ns = INT64_MAX;
  std::int64_t latest_timestamp_ns = INT64_MIN;
  std::exception_ptr failure;  // the piece could not be read (the file went away)
  // The bytes it added to the PieceProgress (its packets there are `records`), to be taken
  // back if the piece is read again.
  std::uint64_t progress_bytes = 0;
};

// Bytes and packets read so far over all pieces, for the progress line.
struct PieceProgress {
  std::atomic<std::uint64_t> bytes = 0;
  std::atomic<std::uint64_t> packets = 0;

  // A piece whose reading is thrown away (read again from its true start, or not wanted)
  // must not count twice.
  void take_back(const PieceOutcome& outcome) noexcept {
    bytes.fetch_sub(outcome.progress_bytes, std::memory_order_relaxed);
    packets.fetch_sub(outcome.records, std::memory_order_relaxed);
  }
};

// Reads one piece: what needs no reassembly is dissected here into the outcome's partial
// result; the rest goes to `forward(packet_number, record)`, which returns false to stop.
template <class Forward>
PieceOutcome read_piece(capture::CaptureReader& reader, const analysis::AnalysisOptions& options,
                        Forward&& forward, PieceProgress& progress) {
  PieceOutcome outcome;
  analysis::PartialAnalyzer piece_analyzer(options);
  reassembly::PacketDissector dissector;
  capture::PacketRecord record;
  decode::PacketContext context;
  const std::uint64_t first_byte = reader.bytes_read();
  std::uint64_t bytes_told = first_byte;
  std::uint64_t packets_told = 0;
  const auto tell_progress = [&] {
    progress.bytes.fetch_add(reader.bytes_read() - bytes_told, std::memory_order_relaxed);
    progress.packets.fetch_add(context.packet_number - packets_told, std::memory_order_relaxed);
    bytes_told = reader.bytes_read();
    packets_told = context.packet_number;
  };
  while (reader.next(record)) {
    ++context.packet_number;
    context.timestamp_ns = record.timestamp_ns;
    if (context.packet_number == 1) outcome.first_timestamp_ns = record.timestamp_ns;
    if (record.timestamp_ns > outcome.latest_timestamp_ns) {
      outcome.latest_timestamp_ns = record.timestamp_ns;
    }
    if (record.timestamp_ns < outcome.earliest_timestamp_ns) {
      outcome.earliest_timestamp_ns = record.timestamp_ns;
    }
    if (!dissector.dissect_or_defer(record, context, piece_analyzer) &&
        !forward(context.packet_number, record)) {
      break;
    }
    if ((context.packet_number & 0xfff) == 0) tell_progress();
  }
  tell_progress();
  outcome.progress_bytes = bytes_told - first_byte;
  outcome.records = context.packet_number;
  outcome.last_timestamp_ns = context.timestamp_ns;
  outcome.end_offset = reader.bytes_read();
  outcome.problem = reader.problem();
  outcome.piece_result = piece_analyzer.take();
  return outcome;
}

}  // namespace pa::app
