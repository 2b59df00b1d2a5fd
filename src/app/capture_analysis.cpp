#include "app/capture_analysis.hpp"

#include <memory>

#include "capture/capture_merger.hpp"
#include "capture/capture_reader.hpp"
#include "reassembly/packet_dissector.hpp"

namespace pa::app {

CaptureAnalysis analyze_captures(const std::vector<std::string>& paths,
                                 const analysis::AnalysisOptions& options,
                                 const std::function<void(std::string_view)>& warn) {
  analysis::Analyzer analyzer(options);  // throws std::invalid_argument for a bad watch host
  std::vector<std::unique_ptr<capture::CaptureReader>> readers;
  readers.reserve(paths.size());
  for (const std::string& path : paths) readers.push_back(capture::CaptureReader::open(path));

  CaptureAnalysis outcome;
  outcome.summary.inputs = paths;
  reassembly::PacketDissector dissector;
  capture::CaptureMerger merger(std::move(readers));
  capture::PacketRecord record;
  decode::PacketContext context;
  while (merger.next(record)) {
    ++context.packet_number;
    context.timestamp_ns = record.timestamp_ns;
    dissector.dissect(record, context, analyzer);
  }
  dissector.finish(context, analyzer);
  for (const auto& problem : merger.problems()) {
    warn(problem.message);
    outcome.summary.warnings.push_back(problem.message);
  }
  outcome.summary.packets_read = context.packet_number;
  outcome.result = analyzer.result();
  return outcome;
}

}  // namespace pa::app
