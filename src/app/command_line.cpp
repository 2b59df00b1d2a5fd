#include "app/command_line.hpp"

#include <fmt/format.h>
#include <netdb.h>
#include <sched.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <limits>
#include <regex>
#include <sstream>
#include <thread>

#include "analysis/query_types.hpp"
#include "app/version.hpp"
#include "base/ip_address.hpp"

namespace pa::app {
namespace {

constexpr const char* description =
    "packet-analysis: reads network captures and reports the domain names looked up in DNS A\n"
    "queries, the addresses a watched host had in DNS answers, and the source ports of TCP\n"
    "connections opened to that host on a watched port. With -i it captures live, and words\n"
    "after the options are a capture filter, as tcpdump takes them.";

constexpr const char* epilog =
    "Exit status: 0 success, 1 bad input or runtime error, 2 usage error, 130 interrupted\n"
    "(SIGINT or SIGTERM: no report is written). A live capture (-i) ends on SIGINT or\n"
    "SIGTERM with its report and status 0; SIGUSR1 prints a report at once.\n"
    "Several files are analyzed as one capture, merged by timestamp. A name whose rotated\n"
    "parts NAME1, NAME2, ... exist (as tcpdump -C -w NAME writes them) stands for itself and\n"
    "all of them, or for the parts alone when NAME does not exist; --no-rotation turns it off.\n"
    "-o - is standard output.";

// Option values read as text or wide integers, checked once parsing is over.
constexpr long long max_threads = 256;

struct RawValues {
  std::vector<std::string> preset_addresses;
  std::string format = "text";
  std::string query_types = "A";
  std::string group_by = "name";
  long long top = std::numeric_limits<long long>::min();  // not given
  std::string output_path;
  bool no_dns_learning = false;
  bool no_rotation = false;
  std::string stream_port = "8000";
  long long stream_connections = 10;
  long long threads = 0;  // 0: not given
  std::string watch_port = "80";
  std::string connect;
  std::string secret_file;
  std::string port_file;
  // -i and the options only a live capture takes.
  std::string interface;
  bool list_interfaces = false;
  std::string filter;
  std::vector<std::string> filter_words;
  long long snap_length = 262144;
  bool no_promiscuous = false;
  long long buffer_size_kib = 0;
  double duration_seconds = 0;
  long long packet_limit = 0;
  double interval_seconds = 0;
  std::string write_path;
};

// The live capture's options: on the default command only (serve hands out files).
void add_live_options(CLI::App& cli, RawValues& raw) {
  cli.add_option("-i,--interface", raw.interface,
                 "Capture live on INTERFACE instead of reading files\n"
                 "('any': every interface); needs root or CAP_NET_RAW")
      ->type_name("INTERFACE");
  cli.add_flag("-D,--list-interfaces", raw.list_interfaces,
               "List the interfaces -i can capture on, and exit");
  cli.add_option("--filter", raw.filter,
                 "Capture filter in BPF syntax (as tcpdump's); words\n"
                 "after the options are one too")
      ->type_name("EXPR");
  cli.add_option("--snaplen", raw.snap_length, "Bytes kept of each packet (default 262144)")
      ->type_name("BYTES");
  cli.add_flag("--no-promiscuous", raw.no_promiscuous,
               "Do not put the interface into promiscuous mode");
  cli.add_option("--buffer-size", raw.buffer_size_kib,
                 "Kernel capture buffer in KiB (default: libpcap's)")
      ->type_name("KIB");
  cli.add_option("--duration", raw.duration_seconds, "Stop capturing after SECONDS")
      ->type_name("SECONDS");
  cli.add_option("--packets", raw.packet_limit, "Stop capturing after COUNT packets")
      ->type_name("COUNT");
  cli.add_option("--interval", raw.interval_seconds,
                 "Print a report every SECONDS while capturing\n"
                 "(cumulative: each covers the capture so far)")
      ->type_name("SECONDS");
  cli.add_option("-w,--write", raw.write_path, "Also write the captured packets to FILE as pcapng")
      ->type_name("FILE");
  cli.add_option("expression", raw.filter_words, "Capture filter words (with -i), as tcpdump's")
      ->type_name("BPF_EXPRESSION");
}

std::string joined(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& word : words) {
    if (!text.empty()) text += ' ';
    text += word;
  }
  return text;
}

// Moves the live capture's options into `options` (and -c's default for it), or throws when
// one is given without -i or out of range.
void check_live_options(const CLI::App& cli, CommandLine& options, const RawValues& raw) {
  const auto given = [&cli](const char* name) { return cli.get_option(name)->count() != 0; };
  if (raw.interface.empty()) {
    if (!raw.filter_words.empty()) {
      throw UsageError(fmt::format(
          "'{}': words after the options are a capture filter, which needs -i INTERFACE",
          joined(raw.filter_words)));
    }
    for (const char* name : {"--filter", "--snaplen", "--no-promiscuous", "--buffer-size",
                             "--duration", "--packets", "--interval", "-w"}) {
      if (given(name)) throw UsageError(fmt::format("{} needs -i INTERFACE (live capture)", name));
    }
    return;
  }
  if (!options.capture_files.empty()) {
    throw UsageError("-f and -i cannot be used together: read capture files or capture live");
  }
  LiveOptions live;
  live.interface = raw.interface;
  if (!raw.filter.empty() && !raw.filter_words.empty()) {
    throw UsageError(fmt::format("--filter '{}' and the filter words '{}': give one filter",
                                 raw.filter, joined(raw.filter_words)));
  }
  live.filter = raw.filter.empty() ? joined(raw.filter_words) : raw.filter;
  if (raw.snap_length < 1 || raw.snap_length > 262144) {
    throw UsageError(fmt::format("--snaplen: {} is out of range (1-262144)", raw.snap_length));
  }
  live.snap_length = static_cast<std::uint32_t>(raw.snap_length);
  live.promiscuous = !raw.no_promiscuous;
  // libpcap takes the size in bytes as an int.
  constexpr long long max_buffer_kib = 2'097'151;
  if (given("--buffer-size") && (raw.buffer_size_kib < 1 || raw.buffer_size_kib > max_buffer_kib)) {
    throw UsageError(fmt::format("--buffer-size: {} KiB is out of range (1-{})",
                                 raw.buffer_size_kib, max_buffer_kib));
  }
  live.buffer_size_kib = static_cast<std::uint32_t>(raw.buffer_size_kib);
  // A year at most for both, so that clock arithmetic cannot overflow.
  constexpr double max_seconds = 86'400.0 * 365;
  if (given("--duration")) {
    if (!(raw.duration_seconds > 0 && raw.duration_seconds <= max_seconds)) {
      throw UsageError(fmt::format("--duration: {} seconds is out of range (above 0, up to a year)",
                                   raw.duration_seconds));
    }
    live.duration_seconds = raw.duration_seconds;
  }
  if (given("--packets")) {
    if (raw.packet_limit < 1) {
      throw UsageError(
          fmt::format("--packets: {} is not a packet count (1 or more)", raw.packet_limit));
    }
    live.packet_limit = static_cast<std::uint64_t>(raw.packet_limit);
  }
  if (given("--interval")) {
    // The capture looks at its clock every 50 ms when idle: shorter intervals would not be kept.
    if (!(raw.interval_seconds >= 0.1 && raw.interval_seconds <= max_seconds)) {
      throw UsageError(fmt::format("--interval: {} seconds is out of range (0.1 up to a year)",
                                   raw.interval_seconds));
    }
    live.interval_seconds = raw.interval_seconds;
  }
  if (given("-w")) {
    if (raw.write_path.empty()) throw UsageError("-w: empty file name");
    if (raw.write_path == "-" && (raw.output_path.empty() || raw.output_path == "-")) {
      throw UsageError("-w -: the report goes to standard output too; give -o FILE for it");
    }
    live.write_path = raw.write_path;
  }
  // A live capture is analyzed in-process unless -c asks for the stream mode
  // (docs/decisions.md).
  if (!given("-c")) options.stream_connections = 0;
  options.live = std::move(live);
}

// The options of a run that reads captures and reports: the default command and serve.
void add_reporting_options(CLI::App& cli, CommandLine& options, RawValues& raw, bool serve) {
  cli.add_option("-f,-r,--file", options.capture_files,
                 serve ? "Captures to analyze as one: pcap or pcapng, plain, gzip or\n"
                         "zstd; - reads standard input (required)"
                       : "Captures to analyze as one: pcap or pcapng, plain, gzip or\n"
                         "zstd; - reads standard input (this or -i)")
      ->type_name("CAPTURE_FILE")
      ->expected(1, -1);
  cli.add_flag("--no-rotation", raw.no_rotation,
               "Read each file named alone, not with its rotated parts\n"
               "NAME1, NAME2, ... (tcpdump -C naming)");
  cli.add_flag("-d,--no-dns-learning", raw.no_dns_learning,
               "Do not learn the watched host's addresses from DNS answers (use -g)");
  cli.add_option("-g,--host-address", raw.preset_addresses,
                 "Addresses the watched host has from the first packet on\n"
                 "(IPv4 or IPv6)")
      ->type_name("IP")
      ->expected(1, -1);
  cli.add_option("--watch-host", options.analysis.watch_host,
                 "The host whose connections count (default www.google.com)")
      ->type_name("NAME");
  cli.add_option("--watch-port", raw.watch_port,
                 "The TCP port whose connections count, a number or a\n"
                 "service name from /etc/services (default 80)")
      ->type_name("PORT");
  if (serve) {
    cli.add_option("-c,--connections", raw.stream_connections,
                   "Consumer connections to wait for before serving (default 10)")
        ->type_name("COUNT");
    cli.add_option("-p,--port", raw.stream_port,
                   "TCP port to serve on; 0 picks a free one (default 8000)")
        ->type_name("PORT");
  } else {
    cli.add_option("-c,--connections", raw.stream_connections,
                   "Streams of the stream mode; 0 analyzes in-process (default 10)")
        ->type_name("COUNT");
    cli.add_option("-j,--threads", raw.threads,
                   "Threads that read and analyze with -c 0 (default: the\n"
                   "cores, at most 8); 1 reads on one thread")
        ->type_name("N");
    cli.add_option("-p,--port", raw.stream_port,
                   "Local TCP port of the stream mode; 0 picks a free one\n"
                   "(default 8000)")
        ->type_name("PORT");
  }
  cli.add_option("--listen", options.listen_address,
                 "Address the stream mode's server binds (default 127.0.0.1)")
      ->type_name("ADDR");
  if (serve) {
    cli.add_option("--secret-file", raw.secret_file,
                   "The secret consumers must prove they share (else the\n"
                   "environment variable PA_STREAM_SECRET); at least 16 bytes")
        ->type_name("FILE");
    cli.add_flag("--allow-unauthenticated", options.allow_unauthenticated,
                 "Serve without a secret on an address other than loopback");
    cli.add_option("--port-file", raw.port_file,
                   "Write the port served on to FILE once listening (with -p 0)")
        ->type_name("FILE");
  }
  cli.add_option("--format", raw.format, "Report format: text, json, csv or html (default text)")
      ->type_name("{text,json,csv,html}");
  cli.add_option("--qtype", raw.query_types,
                 "Question types counted in the name table: A (default),\n"
                 "a list (A,AAAA,HTTPS), numbers (65) or any")
      ->type_name("TYPES");
  cli.add_option("--group-by", raw.group_by, "Count per name (default), registrable-domain or tld")
      ->type_name("{name,registrable-domain,tld}");
  cli.add_option("--top", raw.top,
                 "Show the first N rows of the name table and fold the\n"
                 "rest into one row")
      ->type_name("N");
  cli.add_option("-o,--output", raw.output_path,
                 "Write the report to FILE instead of standard output (-);\n"
                 "a file appears whole or not at all")
      ->type_name("FILE");
  cli.add_flag("-q,--quiet", options.quiet, "No progress line on standard error");
}

// A TCP port as a number (lowest-65535) or a service name from /etc/services (getservbyname,
// as tcpdump and netstat take them: `--watch-port http`).
std::uint16_t parse_port(const std::string& text, const char* option, int lowest) {
  if (!text.empty() && text.find_first_not_of("0123456789-+") == std::string::npos) {
    long long number = -1;
    try {
      std::size_t used = 0;
      number = std::stoll(text, &used);
      if (used != text.size()) number = -1;
    } catch (const std::exception&) {
      number = 65536;  // too many digits for a long long: out of range all the same
    }
    if (number < lowest || number > 65535) {
      throw UsageError(fmt::format("{}: {} is not a TCP port ({}-65535)", option, text, lowest));
    }
    return static_cast<std::uint16_t>(number);
  }
  const servent* service = text.empty() ? nullptr : ::getservbyname(text.c_str(), "tcp");
  if (service == nullptr) {
    throw UsageError(fmt::format(
        "{}: '{}' is neither a TCP port ({}-65535) nor a TCP service named in /etc/services",
        option, text, lowest));
  }
  // s_port is in network byte order, in an int (getservbyname(3)).
  const auto port = static_cast<std::uint16_t>(ntohs(static_cast<std::uint16_t>(service->s_port)));
  if (port < lowest) {
    throw UsageError(fmt::format("{}: service '{}' is port {}", option, text, port));
  }
  return port;
}

// CLI11's own messages ("Could not convert: --watch-port = http") in the tool's words: what is
// wrong, with the option as the user can find it in --help.
std::string in_own_words(const CLI::ParseError& error) {
  const std::string text = error.what();
  std::smatch match;
  if (dynamic_cast<const CLI::ConversionError*>(&error) != nullptr &&
      std::regex_match(text, match, std::regex("Could not convert: (\\S+) = (.*)"))) {
    return fmt::format("{}: '{}' is not a number", match[1].str(), match[2].str());
  }
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&error) != nullptr &&
      std::regex_match(text, match, std::regex("(\\S+): \\d+ required (\\S+) missing"))) {
    return fmt::format("{} needs a value ({})", match[1].str(), match[2].str());
  }
  if (dynamic_cast<const CLI::RequiredError*>(&error) != nullptr &&
      std::regex_match(text, match, std::regex("(\\S+) is required"))) {
    return fmt::format("{} must be given", match[1].str());
  }
  if (dynamic_cast<const CLI::ExtrasError*>(&error) != nullptr) {
    const auto colon = text.find(": ");
    const std::string words = colon == std::string::npos ? text : text.substr(colon + 2);
    if (!words.empty() && words.front() == '-') {
      return fmt::format("unknown option {}", words);
    }
    return fmt::format("unexpected argument{} {}", words.find(' ') == std::string::npos ? "" : "s",
                       words);
  }
  return text;
}

// --qtype: "any", or types separated by commas, in the order given, each once.
std::vector<std::uint16_t> parse_query_types(const std::string& text) {
  std::string lower;
  for (const char c : text) lower += (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  if (lower == "any") return {};
  std::vector<std::uint16_t> types;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(start, end - start);
    const auto type = analysis::parse_query_type(word);
    if (!type) {
      throw UsageError(
          fmt::format("--qtype: '{}' is not a question type; known: {}, a number 0-65535 or any",
                      word, analysis::known_query_types()));
    }
    if (std::find(types.begin(), types.end(), *type) == types.end()) types.push_back(*type);
    start = end + 1;
  }
  return types;
}

void check_reporting_options(CommandLine& options, const RawValues& raw) {
  if (options.capture_files.empty() && raw.interface.empty()) {
    throw UsageError(
        "no capture to read: give -f CAPTURE_FILE (- for standard input) or -i INTERFACE");
  }
  for (const std::string& path : options.capture_files) {
    if (path.empty()) throw UsageError("-f: empty file name");
  }
  for (const std::string& text : raw.preset_addresses) {
    const auto address = base::IpAddress::parse(text);
    if (!address) {
      throw UsageError(fmt::format("-g: '{}' is not an IPv4 or IPv6 address", text));
    }
    options.analysis.preset_addresses.push_back(*address);
  }
  const std::uint16_t watch_port = parse_port(raw.watch_port, "--watch-port", 1);
  const std::uint16_t stream_port = parse_port(raw.stream_port, "-p", 0);
  if (raw.format != "text" && raw.format != "json" && raw.format != "csv" && raw.format != "html") {
    throw UsageError(
        fmt::format("--format: '{}' is not a report format (text, json, csv or html)", raw.format));
  }
  if (raw.group_by != "name" && raw.group_by != "registrable-domain" && raw.group_by != "tld") {
    throw UsageError(fmt::format(
        "--group-by: '{}' is not a grouping (name, registrable-domain or tld)", raw.group_by));
  }
  if (!base::IpAddress::parse(options.listen_address)) {
    throw UsageError(
        fmt::format("--listen: '{}' is not an IPv4 or IPv6 address", options.listen_address));
  }
  if (options.analysis.watch_host.empty()) throw UsageError("--watch-host: empty host name");
  options.analysis.learn_from_dns = !raw.no_dns_learning;
  options.analysis.watch_port = watch_port;
  options.stream_port = stream_port;
  options.expand_rotation = !raw.no_rotation;
  options.format = raw.format == "json"   ? ReportFormat::json
                   : raw.format == "csv"  ? ReportFormat::csv
                   : raw.format == "html" ? ReportFormat::html
                                          : ReportFormat::text;
  options.analysis.query_types = parse_query_types(raw.query_types);
  options.analysis.group_by = raw.group_by == "registrable-domain"
                                  ? analysis::NameGrouping::registrable_domain
                              : raw.group_by == "tld" ? analysis::NameGrouping::tld
                                                      : analysis::NameGrouping::name;
  if (raw.top != std::numeric_limits<long long>::min()) {
    if (raw.top < 0)
      throw UsageError(fmt::format("--top: {} is not a row count (0 or more)", raw.top));
    options.analysis.top = static_cast<std::size_t>(raw.top);
  }
  if (!raw.output_path.empty()) options.output_path = raw.output_path;
}

// HOST:PORT, with an IPv6 address in brackets ([::1]:8000).
void parse_connect(CommandLine& options, const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
    throw UsageError(fmt::format("--connect: '{}' is not HOST:PORT", text));
  }
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  int port = 0;
  try {
    std::size_t used = 0;
    port = std::stoi(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1) port = -1;
  } catch (const std::exception&) {
    port = -1;
  }
  if (port < 1 || port > 65535) {
    throw UsageError(fmt::format("--connect: '{}' does not end in a TCP port (1-65535)", text));
  }
  options.connect_host = host;
  options.connect_port = static_cast<std::uint16_t>(port);
}

}  // namespace

unsigned default_threads() noexcept {
  // The cores this process may run on (taskset, cgroups' cpusets), not all the machine has.
  // More than 8 readers rarely pay on one file system, and each costs memory.
  unsigned cores = 0;
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (::sched_getaffinity(0, sizeof allowed, &allowed) == 0) {
    cores = static_cast<unsigned>(CPU_COUNT(&allowed));
  }
  if (cores == 0) cores = std::thread::hardware_concurrency();
  return std::clamp(cores, 1U, 8U);
}

ParsedCommandLine parse_command_line(int argc, const char* const* argv) {
  CommandLine options;
  RawValues raw;
  RawValues serve_raw;
  RawValues consume_raw;

  CLI::App cli{description, "packet-analysis"};
  cli.footer(epilog);
  cli.set_version_flag("--version", version_text(),
                       "Print the version, the build type and the libraries'\n"
                       "versions, and exit");
  cli.get_formatter()->column_width(34);
  add_reporting_options(cli, options, raw, false);
  add_live_options(cli, raw);
  cli.require_subcommand(0, 1);

  CLI::App* serve =
      cli.add_subcommand("serve", "Serve the captures to consume processes, print the report");
  serve->get_formatter()->column_width(34);
  add_reporting_options(*serve, options, serve_raw, true);

  CLI::App* consume =
      cli.add_subcommand("consume", "Analyze the packets a serve process hands out");
  consume->get_formatter()->column_width(34);
  consume->add_option("--connect", consume_raw.connect, "The server to connect to")
      ->type_name("HOST:PORT")
      ->required();
  consume
      ->add_option("-c,--connections", consume_raw.stream_connections,
                   "Connections to open (default 10)")
      ->type_name("COUNT");
  consume->add_flag("-q,--quiet", options.quiet, "No progress line on standard error");
  consume
      ->add_option("--secret-file", consume_raw.secret_file,
                   "The secret shared with serve (else the environment\n"
                   "variable PA_STREAM_SECRET)")
      ->type_name("FILE");

  try {
    cli.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    for (const CLI::App* sub : {serve, consume}) {
      if (sub->parsed()) return {std::nullopt, sub->help()};
    }
    return {std::nullopt, cli.help()};
  } catch (const CLI::CallForVersion&) {
    return {std::nullopt, cli.version()};
  } catch (const CLI::ParseError& error) {
    throw UsageError(in_own_words(error));
  }

  if (consume->parsed()) {
    options.command = Command::consume;
    parse_connect(options, consume_raw.connect);
    if (consume_raw.stream_connections < 1 || consume_raw.stream_connections > 4096) {
      throw UsageError(fmt::format("-c: {} connections is out of range (1-4096)",
                                   consume_raw.stream_connections));
    }
    options.stream_connections = static_cast<std::uint32_t>(consume_raw.stream_connections);
    if (consume->get_option("--secret-file")->count() != 0) {
      if (consume_raw.secret_file.empty()) throw UsageError("--secret-file: empty file name");
      options.secret_file = consume_raw.secret_file;
    }
    return {std::move(options), {}};
  }
  if (!serve->parsed() && raw.list_interfaces) {
    options.list_interfaces = true;
    return {std::move(options), {}};
  }
  const RawValues& used = serve->parsed() ? serve_raw : raw;
  options.command = serve->parsed() ? Command::serve : Command::analyze;
  check_reporting_options(options, used);
  const long long lowest = serve->parsed() ? 1 : 0;
  if (used.stream_connections < lowest || used.stream_connections > 4096) {
    throw UsageError(fmt::format("-c: {} connections is out of range ({}-4096)",
                                 used.stream_connections, lowest));
  }
  options.stream_connections = static_cast<std::uint32_t>(used.stream_connections);
  if (serve->parsed()) {
    if (serve->get_option("--secret-file")->count() != 0) {
      if (serve_raw.secret_file.empty()) throw UsageError("--secret-file: empty file name");
      options.secret_file = serve_raw.secret_file;
    }
    if (serve->get_option("--port-file")->count() != 0) {
      if (serve_raw.port_file.empty()) throw UsageError("--port-file: empty file name");
      options.port_file = serve_raw.port_file;
    }
  }
  if (!serve->parsed()) check_live_options(cli, options, raw);
  if (!serve->parsed() && cli.get_option("-j")->count() != 0) {
    if (raw.threads < 1 || raw.threads > max_threads) {
      throw UsageError(
          fmt::format("-j: {} threads is out of range (1-{})", raw.threads, max_threads));
    }
    if (options.live || options.stream_connections != 0) {
      throw UsageError(fmt::format("-j: threads read capture files with -c 0 only{}",
                                   options.live ? " (not with -i)" : ""));
    }
    options.threads = static_cast<unsigned>(raw.threads);
  }
  return {std::move(options), {}};
}

}  // namespace pa::app
