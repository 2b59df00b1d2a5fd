#include <cstdio>
#include <exception>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "app/capture_analysis.hpp"
#include "app/command_line.hpp"
#include "app/input_files.hpp"
#include "app/report_destination.hpp"
#include "capture/capture_reader.hpp"
#include "report/json_report.hpp"
#include "report/text_report.hpp"

namespace {

// Exit statuses, as documented in --help and the README.
constexpr int exit_success = 0;
constexpr int exit_failure = 1;
constexpr int exit_usage = 2;

void print_line(std::string_view kind, std::string_view message) {
  std::fprintf(stderr, "packet-analysis: %.*s: %.*s\n", static_cast<int>(kind.size()), kind.data(),
               static_cast<int>(message.size()), message.data());
}

int run(const pa::app::CommandLine& options) {
  if (options.stream_connections > 0) {
    print_line("error",
               "the stream mode (-c COUNT above 0) is not available in this build; "
               "use -c 0 to analyze in-process");
    return exit_failure;
  }
  pa::app::ReportDestination destination(options.output_path);
  const auto paths = pa::app::expand_rotated_captures(options.capture_files);
  const auto analysis = pa::app::analyze_captures(
      paths, options.analysis, [](std::string_view warning) { print_line("warning", warning); });

  std::ostringstream report;
  if (options.format == pa::app::ReportFormat::json) {
    pa::report::write_json_report(report, analysis.result, options.analysis, analysis.summary);
  } else {
    pa::report::write_text_report(report, analysis.result, options.analysis);
  }
  destination.write(report.view());
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
