#include "app/capture_analysis.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <system_error>

#include "app/progress_line.hpp"
#include "capture/capture_merger.hpp"
#include "capture/capture_reader.hpp"
#include "reassembly/packet_dissector.hpp"

namespace pa::app {

std::optional<std::uint64_t> total_size(const capture::CaptureMerger& merger) {
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < merger.file_count(); ++i) {
    const capture::CaptureReader& reader = merger.reader(i);
    std::error_code error;
    const auto size = std::filesystem::file_size(reader.path(), error);
    if (error || reader.decompressed() || reader.path() == "-") return std::nullopt;
    total += size;
  }
  return total;
}

std::uint64_t bytes_read(const capture::CaptureMerger& merger) noexcept {
  std::uint64_t bytes = 0;
  for (std::size_t i = 0; i < merger.file_count(); ++i) bytes += merger.reader(i).bytes_read();
  return bytes;
}

std::vector<std::unique_ptr<capture::CaptureReader>> open_captures(
    const std::vector<std::string>& paths) {
  std::vector<std::unique_ptr<capture::CaptureReader>> readers;
  readers.reserve(paths.size());
  for (const std::string& path : paths) readers.push_back(capture::CaptureReader::open(path));
  return readers;
}

CaptureAnalysis analyze_captures(const std::vector<std::string>& paths,
                                 const analysis::AnalysisOptions& options,
                                 const std::function<void(std::string_view)>& warn,
                                 bool show_progress) {
  analysis::Analyzer analyzer(options);  // throws std::invalid_argument for a bad watch host
  auto readers = open_captures(paths);

  CaptureAnalysis outcome;
  outcome.summary.inputs = paths;
  reassembly::PacketDissector dissector;
  capture::CaptureMerger merger(std::move(readers));
  ProgressLine progress(show_progress, total_size(merger));
  capture::PacketRecord record;
  decode::PacketContext context;
  while (merger.next(record)) {
    ++context.packet_number;
    context.timestamp_ns = record.timestamp_ns;
    report::note_record_time(outcome.summary.time_span, record.timestamp_ns);
    dissector.dissect(record, context, analyzer);
    if (progress.due()) progress.redraw(bytes_read(merger), context.packet_number);
  }
  progress.finish();
  dissector.finish(context, analyzer);
  for (const auto& problem : merger.problems()) {
    warn(problem.message);
    outcome.summary.warnings.push_back(problem.message);
  }
  outcome.summary.packets_read = context.packet_number;
  outcome.result = analyzer.take_result();
  return outcome;
}

}  // namespace pa::app
