#include "mpi/rank_analysis.hpp"

#include <mpi.h>

#include <algorithm>
#include <climits>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <exception>
#include <stdexcept>

#include "app/input_pieces.hpp"
#include "app/piece_merger.hpp"
#include "app/record_chunk.hpp"
#include "capture/pcap_range.hpp"
#include "stream/frame_codec.hpp"

namespace pa::mpi {
namespace {

// Message tags from a reading rank to rank 0, in the order sent for each piece.
constexpr int records_tag = 1;  // a chunk of records that need reassembly
constexpr int outcome_tag = 2;  // the piece's outcome; its last message

constexpr std::size_t chunk_bytes = std::size_t{256} << 10;

// A reading rank's messages to rank 0, in flight while it reads on. A blocking MPI_Send of a
// chunk above the eager limit waits until rank 0 takes it, and rank 0 takes a piece's messages
// only once it has merged the pieces before: every rank but one stood still while rank 0 read
// its own piece. Up to `in_flight_limit` chunks (2 MiB) wait here instead; past that the rank waits
// for the oldest, which bounds its memory.
class StageSends {
 public:
  static constexpr std::size_t in_flight_limit = 8;

  StageSends() = default;
  StageSends(const StageSends&) = delete;
  StageSends& operator=(const StageSends&) = delete;
  ~StageSends() {
    if (std::uncaught_exceptions() == 0) {
      wait_for_all();
      return;
    }
    // The rank is failing and main ends the job with MPI_Abort: rank 0 may never take these,
    // so they are not waited for, but MPI may still read their bytes until the end.
    static std::vector<std::vector<std::uint8_t>> kept_until_abort;
    for (Pending& sent : pending_) kept_until_abort.push_back(std::move(sent.bytes));
  }

  void send(std::vector<std::uint8_t> bytes, int tag) {
    if (bytes.size() > INT_MAX) throw std::runtime_error("a piece's result is over 2 GiB");
    pending_.push_back({std::move(bytes), MPI_REQUEST_NULL});
    Pending& sent = pending_.back();
    MPI_Isend(sent.bytes.data(), static_cast<int>(sent.bytes.size()), MPI_BYTE, 0, tag,
              MPI_COMM_WORLD, &sent.request);
    // Drops what rank 0 has taken; waits for the oldest while too many are in flight.
    while (!pending_.empty()) {
      int done = 0;
      if (pending_.size() > in_flight_limit) {
        MPI_Wait(&pending_.front().request, MPI_STATUS_IGNORE);
        done = 1;
      } else {
        MPI_Test(&pending_.front().request, &done, MPI_STATUS_IGNORE);
      }
      if (done == 0) break;
      pending_.pop_front();
    }
  }

  void wait_for_all() {
    for (Pending& sent : pending_) MPI_Wait(&sent.request, MPI_STATUS_IGNORE);
    pending_.clear();
  }

 private:
  struct Pending {
    std::vector<std::uint8_t> bytes;  // must outlive the send
    MPI_Request request;
  };
  std::deque<Pending> pending_;
};

// The next message from `source`, whichever its tag.
std::vector<std::uint8_t> next_message_from(int source, int& tag) {
  MPI_Status status;
  MPI_Probe(source, MPI_ANY_TAG, MPI_COMM_WORLD, &status);
  int size = 0;
  MPI_Get_count(&status, MPI_BYTE, &size);
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
  MPI_Recv(bytes.data(), size, MPI_BYTE, source, status.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  tag = status.MPI_TAG;
  return bytes;
}

// The records of a message from another rank, in order; a message cut short is refused.
template <class Each>
void for_each_record(const std::vector<std::uint8_t>& chunk, Each&& each) {
  std::size_t at = 0;
  std::uint64_t number = 0;
  capture::PacketRecord record;
  for (;;) {
    switch (app::read_chunk_record(chunk, at, number, record)) {
      case app::ChunkRead::record:
        each(number, record);
        continue;
      case app::ChunkRead::end:
        return;
      case app::ChunkRead::cut_short:
        break;
    }
    throw std::runtime_error("a message of records from another rank is cut short");
  }
}

// The outcome without its partial result, then the partial result as the stream mode's
// acknowledgement carries it.
std::vector<std::uint8_t> encode_outcome(const app::PieceOutcome& outcome) {
  stream::FrameWriter writer(stream::FrameType::ack);
  writer.u64(outcome.records);
  writer.u64(outcome.end_offset);
  writer.i64(outcome.first_timestamp_ns);
  writer.i64(outcome.last_timestamp_ns);
  writer.i64(outcome.latest_timestamp_ns);
  writer.i64(outcome.earliest_timestamp_ns);
  writer.u8(outcome.problem ? 1 : 0);
  writer.u64(outcome.problem ? outcome.problem->offset : 0);
  writer.u32(outcome.problem ? static_cast<std::uint32_t>(outcome.problem->message.size()) : 0);
  if (outcome.problem) {
    const auto& message = outcome.problem->message;
    writer.bytes({reinterpret_cast<const std::uint8_t*>(message.data()), message.size()});
  }
  auto bytes = writer.take();
  stream::Ack ack;
  ack.delta = outcome.piece_result;
  const auto result_frame = stream::encode_ack(ack);
  bytes.insert(bytes.end(), result_frame.begin(), result_frame.end());
  return bytes;
}

app::PieceOutcome decode_outcome(const std::vector<std::uint8_t>& bytes) {
  base::ByteReader reader(bytes);
  const std::uint32_t length = reader.u32();
  (void)reader.u8();
  app::PieceOutcome outcome;
  outcome.records = reader.u64();
  outcome.end_offset = reader.u64();
  outcome.first_timestamp_ns = static_cast<std::int64_t>(reader.u64());
  outcome.last_timestamp_ns = static_cast<std::int64_t>(reader.u64());
  outcome.latest_timestamp_ns = static_cast<std::int64_t>(reader.u64());
  outcome.earliest_timestamp_ns = static_cast<std::int64_t>(reader.u64());
  const bool has_problem = reader.u8() != 0;
  const std::uint64_t problem_offset = reader.u64();
  const base::Bytes message = reader.bytes(reader.u32());
  if (has_problem) {
    outcome.problem = capture::ReadProblem{
        problem_offset, std::string(reinterpret_cast<const char*>(message.data()), message.size())};
  }
  const std::size_t frame_end = 4 + std::size_t{length};
  // The acknowledgement frame after it: length prefix and type, then its body.
  constexpr std::size_t frame_prefix = 5;
  if (reader.failed() || reader.position() != frame_end ||
      bytes.size() < frame_end + frame_prefix) {
    throw std::runtime_error("a rank sent a piece's outcome that does not decode");
  }
  auto ack = stream::decode_ack(base::Bytes(bytes).subspan(frame_end + frame_prefix));
  if (!ack) throw std::runtime_error("a rank sent a partial result that does not decode");
  outcome.piece_result = std::move(ack->delta);
  return outcome;
}

std::unique_ptr<capture::CaptureReader> open_piece(const std::vector<std::string>& paths,
                                                   const app::PiecePlan& piece,
                                                   std::uint64_t begin) {
  if (piece.whole) return capture::CaptureReader::open(paths[piece.file_index]);
  return capture::open_pcap_range(paths[piece.file_index], begin, piece.end);
}

// The plan, from rank 0 to every rank (PiecePlan is plain data, and every rank runs the same
// program).
std::vector<app::PiecePlan> share_plan(std::vector<app::PiecePlan> plan, int rank) {
  unsigned long long count = plan.size();
  MPI_Bcast(&count, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
  if (rank != 0) plan.resize(count);
  if (count != 0) {
    MPI_Bcast(plan.data(), static_cast<int>(count * sizeof(app::PiecePlan)), MPI_BYTE, 0,
              MPI_COMM_WORLD);
  }
  return plan;
}

void read_and_send(const std::vector<std::string>& paths, const std::vector<app::PiecePlan>& plan,
                   const analysis::AnalysisOptions& options, const RankSettings& settings, int rank,
                   int ranks) {
  app::PieceProgress progress;
  StageSends sends;
  for (std::size_t k = static_cast<std::size_t>(rank); k < plan.size();
       k += static_cast<std::size_t>(ranks)) {
    const auto reader = open_piece(paths, plan[k], plan[k].begin);
    std::vector<std::uint8_t> chunk;
    const auto outcome = app::read_piece(
        *reader, options,
        [&chunk, &sends](std::uint64_t number, const capture::PacketRecord& record) {
          app::append_chunk_record(chunk, number, record);
          if (chunk.size() >= chunk_bytes) {
            sends.send(std::move(chunk), records_tag);
            chunk = {};
          }
          return true;
        },
        progress);
    if (!chunk.empty()) sends.send(std::move(chunk), records_tag);
    if (rank == settings.failing_rank) {
      throw std::runtime_error("PA_TEST_FAILING_RANK: rank " + std::to_string(rank) +
                               " fails on purpose");
    }
    if (rank == settings.dying_rank) ::raise(SIGKILL);
    sends.send(encode_outcome(outcome), outcome_tag);
  }
  sends.wait_for_all();
}

std::optional<long long> number_from_environment(const char* name) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return std::nullopt;
  char* end = nullptr;
  const long long value = std::strtoll(text, &end, 10);
  if (*end != '\0' || value < 0) {
    throw std::invalid_argument(std::string(name) + ": '" + text + "' is not a number");
  }
  return value;
}

}  // namespace

RankSettings RankSettings::from_environment() {
  RankSettings settings;
  if (const auto bytes = number_from_environment("PA_TEST_PIECE_BYTES")) {
    settings.smallest_piece_bytes = static_cast<std::uint64_t>(std::max(*bytes, 1LL));
  }
  if (const auto rank = number_from_environment("PA_TEST_FAILING_RANK")) {
    settings.failing_rank = static_cast<int>(*rank);
  }
  if (const auto rank = number_from_environment("PA_TEST_DYING_RANK")) {
    settings.dying_rank = static_cast<int>(*rank);
  }
  return settings;
}

std::optional<app::CaptureAnalysis> analyze_captures_over_ranks(
    const std::vector<std::string>& paths, const analysis::AnalysisOptions& options,
    const RankSettings& settings, const std::function<void(std::string_view)>& warn) {
  int rank = 0;
  int ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);

  std::vector<app::PiecePlan> plan;
  std::optional<app::PieceMerger> merger;
  if (rank == 0) {
    merger.emplace(options, paths.size());  // throws std::invalid_argument: bad watch host
    // Standard input can be read by rank 0 only: then the plan is empty and rank 0 reads all.
    if (std::find(paths.begin(), paths.end(), "-") == paths.end()) {
      const auto readers = app::open_captures(paths);
      plan = app::plan_pieces(readers, static_cast<unsigned>(ranks), settings.smallest_piece_bytes);
    }
  }
  plan = share_plan(std::move(plan), rank);
  if (rank != 0) {
    read_and_send(paths, plan, options, settings, rank, ranks);
    return std::nullopt;
  }
  if (plan.empty()) {
    auto analysis = app::analyze_captures(paths, options, warn);
    analysis.summary.work_split =
        report::WorkSplit{"mpi", 1, 1, 0, "standard input is read by rank 0 alone"};
    return analysis;
  }

  app::PieceProgress progress;
  const auto reassemble = [&merger](std::uint64_t number, const capture::PacketRecord& record) {
    merger->reassemble(number, record);
    return true;
  };
  for (std::size_t k = 0; k < plan.size(); ++k) {
    const app::PiecePlan& piece = plan[k];
    const int owner = static_cast<int>(k % static_cast<std::size_t>(ranks));
    const bool skipped = merger->skips(piece);
    const auto true_start = merger->true_start(piece);
    std::optional<app::PieceOutcome> outcome;
    if (owner != 0) {
      // Every message of the piece is taken, even those not wanted, so that its rank goes on.
      for (;;) {
        int tag = 0;
        const auto bytes = next_message_from(owner, tag);
        const bool wanted = !skipped && !true_start;
        if (tag == records_tag) {
          if (wanted) for_each_record(bytes, reassemble);
          continue;
        }
        if (wanted) outcome = decode_outcome(bytes);
        break;
      }
    }
    if (skipped) continue;
    if (!outcome) {
      // Rank 0's own piece, or one whose guessed start the piece before refuted.
      const auto reader = open_piece(paths, piece, true_start.value_or(piece.begin));
      outcome = app::read_piece(*reader, options, reassemble, progress);
    }
    merger->add(piece, *outcome, owner != 0 && true_start.has_value());
  }
  if (!merger->concatenation_is_merged_order()) {
    auto analysis = app::analyze_captures(paths, options, warn);
    analysis.summary.work_split =
        report::WorkSplit{"mpi", 1, 1, 0,
                          "the files' timestamps overlap: their merged order is not one after "
                          "the other"};
    return analysis;
  }
  return merger->finish(
      paths, warn, report::WorkSplit{"mpi", static_cast<std::uint64_t>(ranks), plan.size(), 0, {}});
}

}  // namespace pa::mpi
