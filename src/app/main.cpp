#include <fmt/format.h>

#include <cstdio>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "app/capture_analysis.hpp"
#include "app/command_line.hpp"
#include "app/input_files.hpp"
#include "app/live_run.hpp"
#include "app/progress_line.hpp"
#include "app/report_destination.hpp"
#include "capture/capture_reader.hpp"
#include "report/json_report.hpp"
#include "report/text_report.hpp"
#ifdef PA_HAVE_STREAM
#include "app/stream_analysis.hpp"
#endif

namespace {

// Exit statuses, as documented in --help and the README.
constexpr int exit_success = 0;
constexpr int exit_failure = 1;
constexpr int exit_usage = 2;
// A run ended by SIGINT or SIGTERM (128 + SIGINT, as shells report it). Only the stream mode
// is interrupted, and a build without it (the fuzz preset) does not use the constant.
[[maybe_unused]] constexpr int exit_interrupted = 130;

void print_line(std::string_view kind, std::string_view message) {
  std::fprintf(stderr, "packet-analysis: %.*s: %.*s\n", static_cast<int>(kind.size()), kind.data(),
               static_cast<int>(message.size()), message.data());
}

void write_report(const pa::app::CommandLine& options, pa::app::ReportDestination& destination,
                  const pa::app::CaptureAnalysis& analysis) {
  destination.write_with([&](std::ostream& report) {
    if (options.format == pa::app::ReportFormat::json) {
      pa::report::write_json_report(report, analysis.result, options.analysis, analysis.summary);
    } else {
      pa::report::write_text_report(report, analysis.result, options.analysis);
    }
  });
}

void warn(std::string_view warning) { print_line("warning", warning); }

#ifdef PA_HAVE_STREAM
// The stream mode (-c COUNT above 0) and serve: the same analysis, handed out over
// connections and merged (docs/stream-protocol.md).
pa::app::CaptureAnalysis analyze_streamed(const pa::app::CommandLine& options,
                                          const std::vector<std::string>& paths) {
  pa::stream::StreamSettings settings;
  settings.listen_address = options.listen_address;
  settings.port = options.stream_port;
  settings.connections = options.stream_connections;
  settings.in_process_consumers = options.command == pa::app::Command::analyze;
  settings.hooks = pa::stream::TestHooks::from_environment();
  const auto on_listening = [&](std::string_view endpoint) {
    if (options.command != pa::app::Command::serve || options.quiet) return;
    print_line("info",
               fmt::format("serving on {}, waiting for {} consumer connection{}", endpoint,
                           options.stream_connections, options.stream_connections == 1 ? "" : "s"));
  };
  return pa::app::analyze_captures_streamed(paths, options.analysis, settings, warn, on_listening);
}
#endif

int run(const pa::app::CommandLine& options) {
  // -D and -i: live capture (README, "Live capture").
  if (options.list_interfaces) return pa::app::list_live_interfaces();
  if (options.live) return pa::app::run_live(options);
#ifdef PA_HAVE_STREAM
  try {
    if (options.command == pa::app::Command::consume) {
      pa::stream::consume(options.connect_host, options.connect_port, options.stream_connections,
                          pa::stream::TestHooks::from_environment(), warn);
      return exit_success;
    }
    if (options.stream_connections > 0 || options.command == pa::app::Command::serve) {
      pa::app::ReportDestination destination(options.output_path);
      const auto paths = pa::app::expand_rotated_captures(options.capture_files);
      write_report(options, destination, analyze_streamed(options, paths));
      return exit_success;
    }
  } catch (const pa::stream::StreamInterrupted& interrupted) {
    print_line("warning", std::string(interrupted.what()) + "; no report written");
    return exit_interrupted;
  }
#else
  if (options.stream_connections > 0 || options.command != pa::app::Command::analyze) {
    print_line("error",
               "the stream mode (-c COUNT above 0, serve, consume) is not available in this "
               "build; use -c 0 to analyze in-process");
    return exit_failure;
  }
#endif
  pa::app::ReportDestination destination(options.output_path);
  const auto paths = pa::app::expand_rotated_captures(options.capture_files);
  write_report(options, destination,
               pa::app::analyze_captures(paths, options.analysis, warn,
                                         pa::app::progress_wanted(options.quiet)));
  return exit_success;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const auto parsed = pa::app::parse_command_line(argc, argv);
    if (!parsed.options) {
      std::fwrite(parsed.text.data(), 1, parsed.text.size(), stdout);
      return exit_success;
    }
    return run(*parsed.options);
  } catch (const std::invalid_argument& error) {
    // Only the analysis options can be invalid arguments: the watch host's name.
    print_line("error", std::string("--watch-host: ") + error.what() + " (see --help)");
    return exit_usage;
  } catch (const pa::app::UsageError& error) {
    print_line("error", std::string(error.what()) + " (see --help)");
    return exit_usage;
  } catch (const std::exception& error) {
    print_line("error", error.what());
    return exit_failure;
  }
}
