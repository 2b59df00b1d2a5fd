#include "app/command_line.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <sstream>

#include "base/ip_address.hpp"

namespace pa::app {
namespace {

constexpr const char* description =
    "packet-analysis: reads network captures and reports the domain names looked up in DNS A\n"
    "queries, the addresses a watched host had in DNS answers, and the source ports of TCP\n"
    "connections opened to that host on a watched port.";

constexpr const char* epilog =
    "Exit status: 0 success, 1 bad input or runtime error, 2 usage error.\n"
    "Several files are analyzed as one capture, merged by timestamp. A name that does not\n"
    "exist but whose rotated parts NAME1, NAME2, ... do stands for all of them.";

}  // namespace

ParsedCommandLine parse_command_line(int argc, const char* const* argv) {
  CommandLine options;
  std::vector<std::string> preset_addresses;
  std::string format = "text";
  std::string output_path;
  bool no_dns_learning = false;
  int stream_port = options.stream_port;
  long long stream_connections = options.stream_connections;
  int watch_port = options.analysis.watch_port;

  CLI::App cli{description, "packet-analysis"};
  cli.footer(epilog);
  cli.set_version_flag("--version", std::string("packet-analysis ") + PA_VERSION);
  cli.get_formatter()->column_width(34);

  cli.add_option("-f,-r,--file", options.capture_files,
                 "Captures to analyze as one: pcap or pcapng, plain, gzip or\n"
                 "zstd; - reads standard input (required)")
      ->type_name("CAPTURE_FILE")
      ->expected(1, -1);
  cli.add_flag("-d,--no-dns-learning", no_dns_learning,
               "Do not learn the watched host's addresses from DNS answers (use -g)");
  cli.add_option("-g,--host-address", preset_addresses,
                 "Addresses the watched host has from the first packet on\n"
                 "(IPv4 or IPv6)")
      ->type_name("IP")
      ->expected(1, -1);
  cli.add_option("--watch-host", options.analysis.watch_host,
                 "The host whose connections count (default www.google.com)")
      ->type_name("NAME");
  cli.add_option("--watch-port", watch_port, "The TCP port whose connections count (default 80)")
      ->type_name("PORT");
  cli.add_option("-c,--connections", stream_connections,
                 "Streams of the stream mode; 0 analyzes in-process (default 10)")
      ->type_name("COUNT");
  cli.add_option("-p,--port", stream_port,
                 "Local TCP port of the stream mode; 0 picks a free one\n"
                 "(default 8000)")
      ->type_name("PORT");
  cli.add_option("--format", format, "Report format: text or json (default text)")
      ->type_name("FORMAT")
      ->check(CLI::IsMember({"text", "json"}));
  cli.add_option("-o,--output", output_path,
                 "Write the report to FILE instead of standard output;\n"
                 "it appears whole or not at all")
      ->type_name("FILE");
  cli.add_flag("-q,--quiet", options.quiet, "No progress line on standard error");

  try {
    cli.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    return {std::nullopt, cli.help()};
  } catch (const CLI::CallForVersion&) {
    return {std::nullopt, cli.version() + "\n"};
  } catch (const CLI::ParseError& error) {
    throw UsageError(error.what());
  }

  if (options.capture_files.empty()) {
    throw UsageError("no capture to read: give -f CAPTURE_FILE (- for standard input)");
  }
  for (const std::string& path : options.capture_files) {
    if (path.empty()) throw UsageError("-f: empty file name");
  }
  for (const std::string& text : preset_addresses) {
    const auto address = base::IpAddress::parse(text);
    if (!address) {
      throw UsageError(fmt::format("-g: '{}' is not an IPv4 or IPv6 address", text));
    }
    options.analysis.preset_addresses.push_back(*address);
  }
  if (watch_port < 1 || watch_port > 65535) {
    throw UsageError(fmt::format("--watch-port: {} is not a TCP port (1-65535)", watch_port));
  }
  if (stream_port < 0 || stream_port > 65535) {
    throw UsageError(fmt::format("-p: {} is not a TCP port (0-65535)", stream_port));
  }
  if (stream_connections < 0 || stream_connections > 4096) {
    throw UsageError(
        fmt::format("-c: {} connections is out of range (0-4096)", stream_connections));
  }
  if (options.analysis.watch_host.empty()) throw UsageError("--watch-host: empty host name");

  options.analysis.learn_from_dns = !no_dns_learning;
  options.analysis.watch_port = static_cast<std::uint16_t>(watch_port);
  options.stream_port = static_cast<std::uint16_t>(stream_port);
  options.stream_connections = static_cast<std::uint32_t>(stream_connections);
  options.format = format == "json" ? ReportFormat::json : ReportFormat::text;
  if (!output_path.empty()) options.output_path = output_path;
  return {std::move(options), {}};
}

}  // namespace pa::app
