#include "app/parallel_analysis.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>
#include <utility>

#include "analysis/partial_result.hpp"
#include "app/progress_line.hpp"
#include "app/reassembly_queue.hpp"
#include "capture/capture_reader.hpp"
#include "capture/pcap_range.hpp"
#include "reassembly/packet_dissector.hpp"
#include "reassembly/record_router.hpp"

namespace pa::app {
namespace {

constexpr std::uint64_t no_end = UINT64_MAX;

struct PieceOutcome {
  analysis::PartialResult partial;  // packet numbers counted from the piece's first record
  std::uint64_t records = 0;
  std::uint64_t end_offset = 0;  // where the piece's last record ended
  std::optional<capture::ReadProblem> problem;
  std::int64_t first_timestamp_ns = 0;
  std::int64_t last_timestamp_ns = 0;
  std::int64_t latest_timestamp_ns = INT64_MIN;
  std::exception_ptr failure;
};

struct Piece {
  std::size_t file = 0;
  std::uint64_t begin = 0;  // a record's start (guessed but for a file's first piece)
  std::uint64_t end = no_end;
  bool whole = false;                                  // the whole file, not a range of it
  std::unique_ptr<capture::CaptureReader> whole_file;  // opened already, until read
  ReassemblyQueue queue;
  PieceOutcome outcome;  // the reader's until done, then the stage's
  bool done = false;     // guarded by Coordination::mutex
};

struct SharedProgress {
  std::atomic<std::uint64_t> bytes = 0;
  std::atomic<std::uint64_t> packets = 0;
};

// Reads one piece: what needs no reassembly is dissected here into the piece's partial result,
// the rest goes to `forward(packet_number, record)`, which says false to stop.
template <class Forward>
PieceOutcome read_piece(capture::CaptureReader& reader, const analysis::AnalysisOptions& options,
                        Forward&& forward, SharedProgress& progress) {
  PieceOutcome outcome;
  analysis::PartialAnalyzer partial(options);
  reassembly::PacketDissector dissector;
  capture::PacketRecord record;
  decode::PacketContext context;
  std::uint64_t bytes_told = reader.bytes_read();
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
    outcome.latest_timestamp_ns = std::max(outcome.latest_timestamp_ns, record.timestamp_ns);
    if (reassembly::route_record(record).needs_reassembly) {
      if (!forward(context.packet_number, record)) break;
    } else {
      dissector.dissect(record, context, partial);
    }
    if ((context.packet_number & 0xfff) == 0) tell_progress();
  }
  tell_progress();
  outcome.records = context.packet_number;
  outcome.last_timestamp_ns = context.timestamp_ns;
  outcome.end_offset = reader.bytes_read();
  outcome.problem = reader.problem();
  outcome.partial = partial.take();
  return outcome;
}

void shift_packet_numbers(analysis::PartialResult& partial, std::uint64_t offset) {
  for (auto& learned : partial.learned) learned.packet_number += offset;
  for (auto& candidate : partial.syn_candidates) candidate.packet_number += offset;
}

std::optional<std::uint64_t> plain_file_size(const capture::CaptureReader& reader) {
  std::error_code error;
  const auto size = std::filesystem::file_size(reader.path(), error);
  if (error || reader.decompressed() || reader.path() == "-") return std::nullopt;
  return size;
}

// The pieces in processing order (the files' concatenation), about four per worker.
std::vector<std::unique_ptr<Piece>> plan_pieces(
    std::vector<std::unique_ptr<capture::CaptureReader>> readers,
    const ParallelSettings& settings) {
  std::uint64_t total = 0;
  for (const auto& reader : readers) total += plain_file_size(*reader).value_or(0);
  const std::uint64_t piece_bytes =
      std::max<std::uint64_t>(settings.smallest_piece_bytes, total / (4 * settings.workers));
  std::vector<std::unique_ptr<Piece>> pieces;
  for (std::size_t file = 0; file < readers.size(); ++file) {
    const auto size = plain_file_size(*readers[file]);
    capture::PcapSplitPlan plan;
    if (size && *size >= 2 * piece_bytes) {
      plan = capture::plan_pcap_split(readers[file]->path(),
                                      static_cast<std::size_t>(*size / piece_bytes),
                                      settings.smallest_piece_bytes);
    }
    if (plan.starts.size() < 2) {
      auto piece = std::make_unique<Piece>();
      piece->file = file;
      piece->whole = true;
      piece->whole_file = std::move(readers[file]);
      pieces.push_back(std::move(piece));
      continue;
    }
    for (std::size_t k = 0; k < plan.starts.size(); ++k) {
      auto piece = std::make_unique<Piece>();
      piece->file = file;
      piece->begin = plan.starts[k];
      piece->end = k + 1 < plan.starts.size() ? plan.starts[k + 1] : no_end;
      pieces.push_back(std::move(piece));
    }
  }
  return pieces;
}

// Whether the files' concatenation is the merged order (SPEC: the record with the smallest
// timestamp first, ties to the file named first): no record of a file is later than the first
// record of any file after it.
struct FileSpan {
  bool any = false;
  std::int64_t first_ns = 0;
  std::int64_t latest_ns = 0;
};
bool concatenation_is_merged_order(const std::vector<FileSpan>& spans) {
  std::optional<std::int64_t> earliest_first_after;
  for (std::size_t i = spans.size(); i-- > 0;) {
    if (!spans[i].any) continue;
    if (earliest_first_after && spans[i].latest_ns > *earliest_first_after) return false;
    earliest_first_after =
        std::min(earliest_first_after.value_or(spans[i].first_ns), spans[i].first_ns);
  }
  return true;
}

CaptureAnalysis on_one_thread(const std::vector<std::string>& paths,
                              const analysis::AnalysisOptions& options,
                              const ParallelSettings& settings,
                              const std::function<void(std::string_view)>& warn, bool show_progress,
                              std::string because) {
  CaptureAnalysis outcome = analyze_captures(paths, options, warn, show_progress);
  if (settings.account_always) {
    outcome.summary.work_split = report::WorkSplit{1, 1, 0, std::move(because)};
  }
  return outcome;
}

// The readers and what they share with the stage; stops and joins them however the stage
// ends, so that no thread outlives the pieces it reads.
class Workers {
 public:
  Workers(std::vector<std::unique_ptr<Piece>>& pieces, const std::vector<std::string>& paths,
          const analysis::AnalysisOptions& options, unsigned count, SharedProgress& progress)
      : pieces_(pieces),
        paths_(paths),
        options_(options),
        progress_(progress),
        lookahead_(count + 1) {
    threads_.reserve(count);
    for (unsigned i = 0; i < count; ++i) threads_.emplace_back([this] { run(); });
  }
  Workers(const Workers&) = delete;
  Workers& operator=(const Workers&) = delete;
  ~Workers() {
    {
      const std::lock_guard lock(mutex_);
      quitting_ = true;
    }
    for (auto& piece : pieces_) piece->queue.cancel();
    changed_.notify_all();
    for (auto& thread : threads_) thread.join();
  }

  // Blocks until the piece's reader is done with it.
  void wait_until_done(const Piece& piece) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&piece] { return piece.done; });
  }
  // The stage has taken pieces up to `position`: readers may start the next ones.
  void stage_reached(std::size_t position) {
    {
      const std::lock_guard lock(mutex_);
      stage_position_ = position;
    }
    changed_.notify_all();
  }

 private:
  void run() {
    for (;;) {
      const std::size_t k = next_.fetch_add(1);
      if (k >= pieces_.size()) return;
      {
        // Bounded run-ahead: a finished piece holds its partial result until the stage comes.
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return quitting_ || k < stage_position_ + lookahead_; });
        if (quitting_) return;
      }
      Piece& piece = *pieces_[k];
      if (!piece.queue.cancelled()) {
        try {
          auto reader = piece.whole
                            ? std::move(piece.whole_file)
                            : capture::open_pcap_range(paths_[piece.file], piece.begin, piece.end);
          piece.outcome = read_piece(
              *reader, options_,
              [&piece](std::uint64_t number, const capture::PacketRecord& record) {
                return piece.queue.push(number, record);
              },
              progress_);
        } catch (...) {
          piece.outcome.failure = std::current_exception();
        }
      }
      piece.queue.close();
      {
        const std::lock_guard lock(mutex_);
        piece.done = true;
      }
      changed_.notify_all();
    }
  }

  std::vector<std::unique_ptr<Piece>>& pieces_;
  const std::vector<std::string>& paths_;
  const analysis::AnalysisOptions& options_;
  SharedProgress& progress_;
  std::size_t lookahead_;
  std::atomic<std::size_t> next_ = 0;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t stage_position_ = 0;
  bool quitting_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace

CaptureAnalysis analyze_captures_in_parallel(const std::vector<std::string>& paths,
                                             const analysis::AnalysisOptions& options,
                                             const ParallelSettings& settings,
                                             const std::function<void(std::string_view)>& warn,
                                             bool show_progress) {
  if (settings.workers <= 1) {
    return on_one_thread(paths, options, settings, warn, show_progress, "one thread asked for");
  }
  if (std::find(paths.begin(), paths.end(), "-") != paths.end()) {
    return on_one_thread(paths, options, settings, warn, show_progress,
                         "standard input is read on one thread");
  }
  analysis::ResultMerger merger(options);  // throws std::invalid_argument for a bad watch host
  analysis::PartialAnalyzer stage_analyzer(options);
  auto readers = open_captures(paths);
  std::optional<std::uint64_t> total_bytes = 0;
  for (const auto& reader : readers) {
    const auto size = plain_file_size(*reader);
    total_bytes = total_bytes && size ? std::optional(*total_bytes + *size) : std::nullopt;
  }
  auto pieces = plan_pieces(std::move(readers), settings);
  if (pieces.size() < 2) {
    pieces.clear();
    return on_one_thread(paths, options, settings, warn, show_progress,
                         "too little to split: one file under twice the piece size, or pcapng, "
                         "or compressed");
  }
  const auto worker_count =
      static_cast<unsigned>(std::min<std::size_t>(settings.workers, pieces.size()));

  SharedProgress shared;
  ProgressLine progress(show_progress, total_bytes);
  reassembly::PacketDissector dissector;
  std::vector<FileSpan> spans(paths.size());
  std::vector<std::optional<capture::ReadProblem>> problems(paths.size());
  std::vector<std::optional<std::uint64_t>> next_start(paths.size());
  std::uint64_t offset = 0;  // packets before the piece the stage is at
  std::uint64_t read_again = 0;
  decode::PacketContext last;
  const auto reassemble = [&](std::uint64_t number, const capture::PacketRecord& record) {
    const decode::PacketContext context{offset + number, record.timestamp_ns};
    dissector.dissect(record, context, stage_analyzer);
    if (progress.due()) progress.redraw(shared.bytes, shared.packets);
    return true;
  };
  {
    Workers workers(pieces, paths, options, worker_count, shared);
    for (std::size_t k = 0; k < pieces.size(); ++k) {
      workers.stage_reached(k);
      Piece& piece = *pieces[k];
      if (problems[piece.file]) {  // the file stopped at a problem before this piece
        piece.queue.cancel();
        continue;
      }
      // A file's first piece starts where its records do; the next ones where one was guessed.
      const bool confirmed =
          piece.whole || !next_start[piece.file] || *next_start[piece.file] == piece.begin;
      PieceOutcome outcome;
      if (confirmed) {
        std::uint64_t number = 0;
        capture::PacketRecord record;
        for (;;) {
          const auto popped = piece.queue.pop(number, record, std::chrono::milliseconds(100));
          if (popped == ReassemblyQueue::Pop::ended) break;
          if (popped == ReassemblyQueue::Pop::record) {
            reassemble(number, record);
          } else {
            progress.redraw(shared.bytes, shared.packets);
          }
        }
        workers.wait_until_done(piece);
        outcome = std::move(piece.outcome);
        if (outcome.failure) std::rethrow_exception(outcome.failure);
      } else {
        // The guess was wrong: the piece before ended elsewhere. Read from where it did.
        piece.queue.cancel();
        ++read_again;
        const auto reader =
            capture::open_pcap_range(paths[piece.file], *next_start[piece.file], piece.end);
        outcome = read_piece(*reader, options, reassemble, shared);
      }
      shift_packet_numbers(outcome.partial, offset);
      merger.add(outcome.partial);
      outcome.partial = {};
      if (outcome.records > 0) {
        FileSpan& span = spans[piece.file];
        if (!span.any) span.first_ns = outcome.first_timestamp_ns;
        span.latest_ns = span.any ? std::max(span.latest_ns, outcome.latest_timestamp_ns)
                                  : outcome.latest_timestamp_ns;
        span.any = true;
        last = {offset + outcome.records, outcome.last_timestamp_ns};
      }
      offset += outcome.records;
      next_start[piece.file] = outcome.end_offset;
      problems[piece.file] = std::move(outcome.problem);
    }
  }
  progress.finish();
  if (!concatenation_is_merged_order(spans)) {
    return on_one_thread(paths, options, ParallelSettings{.account_always = true}, warn,
                         show_progress,
                         "the files' timestamps overlap: their merged order is not one after "
                         "the other");
  }
  dissector.finish(last, stage_analyzer);
  merger.add(stage_analyzer.take());

  CaptureAnalysis analysis;
  analysis.summary.inputs = paths;
  for (const auto& problem : problems) {
    if (!problem) continue;
    warn(problem->message);
    analysis.summary.warnings.push_back(problem->message);
  }
  analysis.summary.packets_read = offset;
  analysis.summary.work_split = report::WorkSplit{worker_count, pieces.size(), read_again, {}};
  analysis.result = merger.result();
  return analysis;
}

}  // namespace pa::app
