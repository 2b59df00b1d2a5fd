#include "app/piece_merger.hpp"

#include <algorithm>

namespace pa::app {

PieceMerger::PieceMerger(const analysis::AnalysisOptions& options, std::size_t files)
    : merger_(options),
      stage_analyzer_(options),
      spans_(files),
      problems_(files),
      next_start_(files) {}

std::optional<std::uint64_t> PieceMerger::true_start(const PiecePlan& piece) const {
  // A file's first piece starts where its records do; the next ones where one was guessed.
  const auto& expected = next_start_[piece.file_index];
  if (piece.whole || !expected || *expected == piece.begin) return std::nullopt;
  return *expected;
}

void PieceMerger::add(const PiecePlan& piece, PieceOutcome& outcome, bool read_again) {
  for (auto& learned : outcome.piece_result.learned) learned.packet_number += offset_;
  for (auto& candidate : outcome.piece_result.syn_candidates) candidate.packet_number += offset_;
  merge_piece_result(outcome.piece_result);
  outcome.piece_result = {};
  if (outcome.records > 0) {
    FileSpan& file_span = spans_[piece.file_index];
    if (!file_span.any) {
      file_span.first_ns = outcome.first_timestamp_ns;
      file_span.latest_ns = outcome.latest_timestamp_ns;
    }
    file_span.latest_ns = std::max(file_span.latest_ns, outcome.latest_timestamp_ns);
    file_span.any = true;
    last_ = {offset_ + outcome.records, outcome.last_timestamp_ns};
    report::note_record_time(time_span_, outcome.earliest_timestamp_ns);
    report::note_record_time(time_span_, outcome.latest_timestamp_ns);
  }
  offset_ += outcome.records;
  next_start_[piece.file_index] = outcome.end_offset;
  problems_[piece.file_index] = std::move(outcome.problem);
  if (read_again) ++read_again_;
}

void PieceMerger::merge_piece_result(analysis::PartialResult& part) {
  names_.fold(std::move(part.query_counts));
  part.query_counts.clear();
  merger_.add(part);
}

bool PieceMerger::concatenation_is_merged_order() const {
  std::optional<std::int64_t> earliest_first_after;
  for (std::size_t i = spans_.size(); i-- > 0;) {
    if (!spans_[i].any) continue;
    if (earliest_first_after && spans_[i].latest_ns > *earliest_first_after) return false;
    earliest_first_after =
        std::min(earliest_first_after.value_or(spans_[i].first_ns), spans_[i].first_ns);
  }
  return true;
}

CaptureAnalysis PieceMerger::finish(const std::vector<std::string>& paths,
                                    const std::function<void(std::string_view)>& warn,
                                    report::WorkSplit split) {
  dissector_.finish(last_, stage_analyzer_);
  analysis::PartialResult stage_part = stage_analyzer_.take();
  merge_piece_result(stage_part);
  CaptureAnalysis analysis;
  analysis.summary.inputs = paths;
  for (const auto& problem : problems_) {
    if (!problem) continue;
    warn(problem->message);
    analysis.summary.warnings.push_back(problem->message);
  }
  analysis.summary.packets_read = offset_;
  analysis.summary.time_span = time_span_;
  split.pieces_read_again = read_again_;
  analysis.summary.work_split = std::move(split);
  analysis.result = merger_.result();
  NameFolder::Folded names = names_.take_folded();
  analysis.result.query_counts = std::move(names.rows);
  analysis.result.total_queries += names.total;
  return analysis;
}

}  // namespace pa::app
