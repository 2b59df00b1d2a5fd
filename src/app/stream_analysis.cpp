#include "app/stream_analysis.hpp"

#include <fmt/format.h>

#include <memory>
#include <string_view>

#include "app/capture_analysis.hpp"

namespace pa::app {

StreamedAnalysis analyze_captures_streamed(const std::vector<std::string>& paths,
                                           const analysis::AnalysisOptions& options,
                                           const stream::StreamSettings& settings,
                                           const stream::WarningSink& warn,
                                           const stream::WarningSink& on_listening) {
  analysis::Analyzer check(options);  // throws std::invalid_argument for a bad watch host
  auto readers = open_captures(paths);

  auto outcome = stream::provide(stream::merged_files(std::move(readers)), options, settings, warn,
                                 on_listening);
  StreamedAnalysis analysis;
  analysis.health = outcome.health;
  analysis.result = std::move(outcome.result);
  analysis.summary.inputs = paths;
  analysis.summary.packets_read = outcome.packets_read;
  const stream::StreamHealth& health = outcome.health;
  analysis.summary.stream_health = {{"lanes", health.lanes},
                                    {"connections", health.connections},
                                    {"connections_lost", health.connections_lost},
                                    {"stalls", health.stalls},
                                    {"lanes_moved", health.lanes_moved},
                                    {"batches_resent", health.batches_resent},
                                    {"peers_dropped", health.peers_dropped}};
  // As analyze_captures: the captures' problems, once the whole input was read.
  for (const std::string& problem : outcome.capture_warnings) {
    warn(problem);
    analysis.summary.warnings.push_back(problem);
  }
  return analysis;
}

std::string describe_health(const stream::StreamHealth& health) {
  const auto plural = [](std::uint64_t count, std::string_view one, std::string_view many) {
    return fmt::format("{} {}", count, count == 1 ? one : many);
  };
  std::string line = fmt::format("stream run {}: {} for {}", health.clean() ? "clean" : "rescued",
                                 plural(health.connections, "connection", "connections"),
                                 plural(health.lanes, "lane", "lanes"));
  if (health.connections_lost != 0) {
    line += fmt::format(", {} lost ({} stalled), {} moved, {} sent again",
                        plural(health.connections_lost, "connection", "connections"), health.stalls,
                        plural(health.lanes_moved, "lane", "lanes"),
                        plural(health.batches_resent, "batch", "batches"));
  }
  if (health.peers_dropped != 0) {
    line += fmt::format(", {} dropped at the hello", plural(health.peers_dropped, "peer", "peers"));
  }
  return line;
}

}  // namespace pa::app
