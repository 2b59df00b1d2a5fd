#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "app/capture_analysis.hpp"
#include "app/command_line.hpp"
#include "app/input_files.hpp"
#include "app/live_run.hpp"
#include "app/parallel_analysis.hpp"
#include "app/progress_line.hpp"
#include "app/report_destination.hpp"
#include "app/run_output.hpp"
#include "app/signal_watcher.hpp"
#include "capture/capture_reader.hpp"
#ifdef PA_HAVE_STREAM
#include "app/stream_analysis.hpp"
#endif

namespace {

using pa::app::add_selection_warnings;
using pa::app::choose_inputs;
using pa::app::print_line;
using pa::app::warn;
using pa::app::warn_when_nothing_decoded;
using pa::app::write_report;

// Exit statuses, as documented in --help and the README.
constexpr int exit_success = 0;
constexpr int exit_failure = 1;
constexpr int exit_usage = 2;
// A run ended by SIGINT or SIGTERM (128 + SIGINT, as shells report it), in every mode but a
// live capture, which SIGINT ends with its report.
constexpr int exit_interrupted = 130;

// -c 0: SIGINT and SIGTERM end the run as they end the stream mode's (README, "Exit status"):
// the temporary file goes, a warning says so, no report, status 130. The watcher's thread ends
// the process itself, so a run blocked reading standard input or writing to a FIFO ends too.
void interrupt_in_process_run(int signal, pa::app::ReportDestination& destination) {
  if (signal != SIGINT && signal != SIGTERM) return;  // SIGUSR1 means nothing here
  if (!destination.abandon()) return;                 // the report is in place: the run is over
  const std::string line =
      fmt::format("\r\x1b[Kpacket-analysis: warning: interrupted ({}); no report written\n",
                  signal == SIGINT ? "SIGINT" : "SIGTERM");
  const std::string_view text =
      isatty(STDERR_FILENO) != 0 ? std::string_view(line) : std::string_view(line).substr(4);
  (void)!::write(STDERR_FILENO, text.data(), text.size());
  std::_Exit(exit_interrupted);
}

#ifdef PA_HAVE_STREAM
// serve --port-file: the port alone on a line, the file appearing whole (written beside it and
// renamed), so that a script waiting for it never reads half of it.
void write_port_file(const std::string& path, std::string_view endpoint) {
  const std::string port(endpoint.substr(endpoint.rfind(':') + 1));
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << port << '\n';
    if (!out.flush()) throw std::runtime_error("--port-file: cannot write '" + temporary + "'");
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    throw std::runtime_error("--port-file: cannot write '" + path + "': " + error.message());
  }
}

// The stream mode (-c COUNT above 0) and serve: the same analysis, handed out over
// connections and merged (docs/stream-protocol.md).
pa::app::StreamedAnalysis analyze_streamed(const pa::app::CommandLine& options,
                                           const std::vector<std::string>& paths) {
  pa::stream::StreamSettings settings;
  settings.listen_address = options.listen_address;
  settings.port = options.stream_port;
  settings.connections = options.stream_connections;
  settings.in_process_consumers = options.command == pa::app::Command::analyze;
  settings.hooks = pa::stream::TestHooks::from_environment();
  if (options.command == pa::app::Command::serve) {
    settings.secret = pa::app::read_stream_secret(options.secret_file, warn);
    pa::app::check_unauthenticated_listen(options.listen_address, !settings.secret.empty(),
                                          options.allow_unauthenticated);
  }
  const auto on_listening = [&](std::string_view endpoint) {
    if (options.command != pa::app::Command::serve) return;
    // Said even with -q: without it, serve -p 0 could not be used.
    print_line("info",
               fmt::format("serving on {}, waiting for {} consumer connection{}", endpoint,
                           options.stream_connections, options.stream_connections == 1 ? "" : "s"));
    if (settings.secret.empty()) {
      warn(
          "serving without a shared secret: any process that can reach the port may join and "
          "change the report (give --secret-file FILE or PA_STREAM_SECRET)");
    }
    if (options.port_file) write_port_file(*options.port_file, endpoint);
  };
  return pa::app::analyze_captures_streamed(paths, options.analysis, settings, warn, on_listening,
                                            pa::app::progress_wanted(options.quiet));
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
                          pa::stream::TestHooks::from_environment(),
                          pa::app::read_stream_secret(options.secret_file, warn), warn);
      return exit_success;
    }
    if (options.stream_connections > 0 || options.command == pa::app::Command::serve) {
      const auto inputs = choose_inputs(options);
      pa::app::ReportDestination destination(options.output_path);
      auto analysis = analyze_streamed(options, inputs.paths);
      // A rescued run says so; serve, whose operator watches its connections, says it always.
      if (!analysis.health.clean()) {
        warn(pa::app::describe_health(analysis.health));
      } else if (options.command == pa::app::Command::serve && !options.quiet) {
        print_line("info", pa::app::describe_health(analysis.health));
      }
      add_selection_warnings(analysis, inputs);
      warn_when_nothing_decoded(analysis);
      write_report(options, destination, analysis);
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
  const auto inputs = choose_inputs(options);
  pa::app::ReportDestination destination(options.output_path);
  const pa::app::SignalWatcher watcher(
      [&destination](int signal) { interrupt_in_process_run(signal, destination); });
  pa::app::ParallelSettings parallel;
  parallel.workers = options.threads.value_or(pa::app::default_threads());
  parallel.account_always = options.threads.has_value() && *options.threads > 1;
  auto analysis = pa::app::analyze_captures_in_parallel(
      inputs.paths, options.analysis, parallel, warn, pa::app::progress_wanted(options.quiet));
  add_selection_warnings(analysis, inputs);
  warn_when_nothing_decoded(analysis);
  write_report(options, destination, analysis);
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
