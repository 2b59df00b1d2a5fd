#include "app/stream_analysis.hpp"

#include <memory>

#include "app/capture_analysis.hpp"

namespace pa::app {

CaptureAnalysis analyze_captures_streamed(const std::vector<std::string>& paths,
                                          const analysis::AnalysisOptions& options,
                                          const stream::StreamSettings& settings,
                                          const stream::WarningSink& warn,
                                          const stream::WarningSink& on_listening) {
  analysis::Analyzer check(options);  // throws std::invalid_argument for a bad watch host
  auto readers = open_captures(paths);

  auto outcome = stream::provide(stream::merged_files(std::move(readers)), options, settings, warn,
                                 on_listening);
  CaptureAnalysis analysis;
  analysis.result = std::move(outcome.result);
  analysis.summary.inputs = paths;
  analysis.summary.packets_read = outcome.packets_read;
  // As analyze_captures: the captures' problems, once the whole input was read.
  for (const std::string& problem : outcome.capture_warnings) {
    warn(problem);
    analysis.summary.warnings.push_back(problem);
  }
  return analysis;
}

}  // namespace pa::app
