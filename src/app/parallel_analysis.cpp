#include "app/parallel_analysis.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "analysis/partial_result.hpp"
#include "app/input_pieces.hpp"
#include "app/piece_merger.hpp"
#include "app/progress_line.hpp"
#include "app/reassembly_queue.hpp"
#include "capture/capture_reader.hpp"
#include "capture/pcap_range.hpp"

namespace pa::app {
namespace {

struct Piece {
  Piece(const PiecePlan& planned, ChunkPool& pool) : plan(planned), queue(&pool) {}

  PiecePlan plan;
  std::unique_ptr<capture::CaptureReader> whole_file;  // opened already, until read
  ReassemblyQueue queue;
  PieceOutcome outcome;    // the reader's until done, then the stage's
  bool done = false;       // guarded by Workers::state_mutex_
  bool abandoned = false;  // the stage does not want its reading; guarded likewise
};

CaptureAnalysis on_one_thread(const std::vector<std::string>& paths,
                              const analysis::AnalysisOptions& options,
                              const ParallelSettings& settings,
                              const std::function<void(std::string_view)>& warn, bool show_progress,
                              std::string because) {
  CaptureAnalysis outcome = analyze_captures(paths, options, warn, show_progress);
  if (settings.account_always) {
    outcome.summary.work_split = report::WorkSplit{"threads", 1, 1, 0, std::move(because)};
  }
  return outcome;
}

// The readers and what they share with the stage; stops and joins them however the stage
// ends, so that no thread outlives the pieces it reads.
class Workers {
 public:
  Workers(std::vector<std::unique_ptr<Piece>>& pieces, const std::vector<std::string>& paths,
          const analysis::AnalysisOptions& options, unsigned count, PieceProgress& progress)
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
      const std::lock_guard lock(state_mutex_);
      quitting_ = true;
    }
    for (auto& piece : pieces_) piece->queue.give_up();
    changed_.notify_all();
    for (auto& reader_thread : threads_) reader_thread.join();
  }

  // Blocks until the piece's reader is done with it.
  void wait_until_done(const Piece& piece) {
    std::unique_lock lock(state_mutex_);
    changed_.wait(lock, [&piece] { return piece.done; });
  }
  // The stage will not use what the piece's reader found (it reads the piece again, or not at
  // all), so the progress line must not count it: whichever of the stage and the reader comes
  // second takes the piece's counts back.
  void abandon(Piece& piece) {
    piece.queue.give_up();
    const std::lock_guard lock(state_mutex_);
    piece.abandoned = true;
    if (piece.done) progress_.take_back(piece.outcome);
  }
  // The stage has taken pieces up to `position`: readers may start the next ones.
  void stage_reached(std::size_t position) {
    {
      const std::lock_guard lock(state_mutex_);
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
        std::unique_lock lock(state_mutex_);
        changed_.wait(lock, [&] { return quitting_ || k < stage_position_ + lookahead_; });
        if (quitting_) return;
      }
      Piece& piece = *pieces_[k];
      if (!piece.queue.given_up()) {
        try {
          auto reader = piece.plan.whole
                            ? std::move(piece.whole_file)
                            : capture::open_pcap_range(paths_[piece.plan.file_index],
                                                       piece.plan.begin, piece.plan.end);
          piece.outcome = read_piece(
              *reader, options_,
              [&piece](std::uint64_t number, const capture::PacketRecord& record) {
                return piece.queue.add_record(number, record);
              },
              progress_);
        } catch (...) {
          piece.outcome.failure = std::current_exception();
        }
      }
      piece.queue.close();
      {
        const std::lock_guard lock(state_mutex_);
        piece.done = true;
        if (piece.abandoned) progress_.take_back(piece.outcome);
      }
      changed_.notify_all();
    }
  }

  std::vector<std::unique_ptr<Piece>>& pieces_;
  const std::vector<std::string>& paths_;
  const analysis::AnalysisOptions& options_;
  PieceProgress& progress_;
  std::size_t lookahead_;
  std::atomic<std::size_t> next_ = 0;
  std::mutex state_mutex_;
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
  PieceMerger merger(options, paths.size());  // throws std::invalid_argument: bad watch host
  auto readers = open_captures(paths);
  std::optional<std::uint64_t> total_bytes = 0;
  for (const auto& reader : readers) {
    const auto size = plain_file_size(*reader);
    total_bytes = total_bytes && size ? std::optional(*total_bytes + *size) : std::nullopt;
  }
  const auto plans =
      plan_pieces(readers, settings.workers, settings.smallest_piece_bytes, PieceSizes::tapering);
  if (plans.size() < 2) {
    readers.clear();
    return on_one_thread(paths, options, settings, warn, show_progress,
                         "too little to split: one file under twice the piece size, or pcapng, "
                         "or compressed");
  }
  ChunkPool chunk_pool;  // before the pieces, whose queues use it
  std::vector<std::unique_ptr<Piece>> pieces;
  for (const PiecePlan& plan : plans) {
    auto piece = std::make_unique<Piece>(plan, chunk_pool);
    if (plan.whole) piece->whole_file = std::move(readers[plan.file_index]);
    pieces.push_back(std::move(piece));
  }
  readers.clear();
  const auto worker_count =
      static_cast<unsigned>(std::min<std::size_t>(settings.workers, pieces.size()));

  PieceProgress shared;
  ProgressLine progress(show_progress, total_bytes);
  const auto reassemble = [&](std::uint64_t number, const capture::PacketRecord& record) {
    merger.reassemble(number, record);
    if (progress.due()) progress.redraw(shared.bytes, shared.packets);
    return true;
  };
  {
    Workers workers(pieces, paths, options, worker_count, shared);
    for (std::size_t k = 0; k < pieces.size(); ++k) {
      workers.stage_reached(k);
      Piece& piece = *pieces[k];
      if (merger.skips(piece.plan)) {
        workers.abandon(piece);
        continue;
      }
      const auto true_start = merger.true_start(piece.plan);
      PieceOutcome outcome;
      if (!true_start) {
        std::uint64_t number = 0;
        capture::PacketRecord record;
        for (;;) {
          const auto popped =
              piece.queue.take_record(number, record, std::chrono::milliseconds(100));
          if (popped == ReassemblyQueue::Taken::ended) break;
          if (popped == ReassemblyQueue::Taken::record) {
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
        workers.abandon(piece);
        const auto reader =
            capture::open_pcap_range(paths[piece.plan.file_index], *true_start, piece.plan.end);
        outcome = read_piece(*reader, options, reassemble, shared);
      }
      merger.add(piece.plan, outcome, true_start.has_value());
    }
  }
  progress.finish();
  if (settings.on_progress_totals) settings.on_progress_totals(shared.bytes, shared.packets);
  if (!merger.concatenation_is_merged_order()) {
    ParallelSettings fallback = settings;
    fallback.account_always = true;
    return on_one_thread(paths, options, fallback, warn, show_progress,
                         "the files' timestamps overlap: their merged order is not one after "
                         "the other");
  }
  return merger.finish(paths, warn,
                       report::WorkSplit{"threads", worker_count, pieces.size(), 0, {}});
}

}  // namespace pa::app
