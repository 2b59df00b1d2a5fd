#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "analysis/analyzer.hpp"

namespace pa::app {

enum class ReportFormat : std::uint8_t { text, json, csv, html };

// What the run does: analyze and report (stream mode or in-process), serve the captures to
// consumers elsewhere and report, or be consumers of a provider elsewhere.
enum class Command : std::uint8_t { analyze, serve, consume };

// -i: capture on an interface instead of reading files (README, "Live capture").
struct LiveOptions {
  std::string interface;
  std::string filter;  // BPF: --filter, or the trailing words joined by spaces as tcpdump does
  std::uint32_t snap_length = 262144;
  bool promiscuous = true;
  std::uint32_t buffer_size_kib = 0;  // 0 keeps libpcap's default
  std::optional<double> duration_seconds;
  std::uint64_t packet_limit = 0;  // 0: no limit
  std::optional<double> interval_seconds;
  std::optional<std::string> write_path;  // -w: a pcapng copy of the captured packets
};

// Everything the command line can set. Defaults are the 2015 tool's where it had one.
struct CommandLine {
  Command command = Command::analyze;
  std::vector<std::string> capture_files;  // as typed; "-" is standard input
  bool expand_rotation = true;  // a name stands for its rotated parts too (--no-rotation: not)
  analysis::AnalysisOptions analysis;
  std::uint16_t stream_port = 8000;  // -p: the local server of the stream mode
  // -c: 0 analyzes in-process; for serve, the connections awaited; for consume, those opened.
  std::uint32_t stream_connections = 10;
  // -j: the threads of an in-process run (-c 0) over files; unset: default_threads().
  std::optional<unsigned> threads;
  std::string listen_address = "127.0.0.1";  // --listen
  std::string connect_host;                  // consume --connect HOST:PORT
  std::uint16_t connect_port = 0;
  // serve and consume: the file holding the secret they share (else PA_STREAM_SECRET).
  std::optional<std::string> secret_file;
  bool allow_unauthenticated = false;    // serve --allow-unauthenticated
  std::optional<std::string> port_file;  // serve --port-file: the port, once listening
  ReportFormat format = ReportFormat::text;
  std::optional<std::string> output_path;  // -o; stdout when absent
  bool quiet = false;
  std::optional<LiveOptions> live;  // -i; then capture_files is empty
  bool list_interfaces = false;     // -D: list the interfaces and exit
};

// A command line that cannot be used: the message is one sentence naming the option.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What parse_command_line decided: run with these options, or exit now (help, version)
// after printing `text` to stdout.
struct ParsedCommandLine {
  std::optional<CommandLine> options;
  std::string text;
};

// -j's default: the cores this process may run on, at most 8 (docs/decisions.md).
unsigned default_threads() noexcept;

// Throws UsageError for anything that cannot be run.
ParsedCommandLine parse_command_line(int argc, const char* const* argv);

}  // namespace pa::app
