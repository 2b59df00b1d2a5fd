#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/partial_result.hpp"
#include "app/capture_analysis.hpp"
#include "app/input_pieces.hpp"
#include "app/name_folder.hpp"
#include "reassembly/packet_dissector.hpp"

namespace pa::app {

// The one stage that takes the pieces in processing order, wherever they were read (-j N's
// threads, MPI's ranks): it dissects the records that need reassembly, in order, with the
// packet numbers of -c 0, merges each piece's partial result at the piece's offset, confirms
// each guessed start against where the piece before really ended, and stops a file where a
// problem stopped it.
class PieceMerger {
 public:
  // Throws std::invalid_argument when options.watch_host is not a valid domain name.
  PieceMerger(const analysis::AnalysisOptions& options, std::size_t files);

  // The piece is not to be read: its file stopped at a problem before it.
  [[nodiscard]] bool skips(const PiecePlan& piece) const {
    return problems_[piece.file_index].has_value();
  }
  // nullopt when the piece may be taken as read; else where its records really start (the piece
  // before ended there, not at the guess), to read it again from.
  [[nodiscard]] std::optional<std::uint64_t> true_start(const PiecePlan& piece) const;

  // A record of the current piece that needs reassembly, numbered from the piece's start.
  void reassemble(std::uint64_t number, const capture::PacketRecord& record) noexcept {
    const decode::PacketContext context{offset_ + number, record.timestamp_ns};
    dissector_.dissect(record, context, stage_analyzer_);
  }
  // The current piece is done: its partial result is merged, the next piece begins.
  void add(const PiecePlan& piece, PieceOutcome& outcome, bool read_again);

  // Whether the files' concatenation is the SPEC's merged order (the record with the smallest
  // timestamp first, ties to the file named first): no record of a file later than the first
  // record of any file after it. When not, the pieces' answer is not -c 0's.
  [[nodiscard]] bool concatenation_is_merged_order() const;

  // The analysis of every piece added; the problems in file order go to `warn` too.
  CaptureAnalysis finish(const std::vector<std::string>& paths,
                         const std::function<void(std::string_view)>& warn,
                         report::WorkSplit split);

  [[nodiscard]] std::uint64_t packets() const noexcept { return offset_; }
  [[nodiscard]] std::uint64_t pieces_read_again() const noexcept { return read_again_; }

 private:
  struct FileSpan {
    bool any = false;
    std::int64_t first_ns = 0;
    std::int64_t latest_ns = 0;
  };

  // The names to names_, the rest to merger_ (packet numbers already shifted).
  void merge_piece_result(analysis::PartialResult& part);

  analysis::ResultMerger merger_;  // all but the names, which names_ adds up
  NameFolder names_;
  analysis::PartialAnalyzer stage_analyzer_;
  reassembly::PacketDissector dissector_;
  std::vector<FileSpan> spans_;
  std::vector<std::optional<capture::ReadProblem>> problems_;
  std::vector<std::optional<std::uint64_t>> next_start_;
  std::uint64_t offset_ = 0;  // packets before the current piece
  std::uint64_t read_again_ = 0;
  decode::PacketContext last_;  // the last packet so far
  std::optional<report::RecordTimeSpan> time_span_;
};

}  // namespace pa::app
