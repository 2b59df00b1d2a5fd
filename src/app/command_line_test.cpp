#include "app/command_line.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <vector>

namespace pa::app {
namespace {

ParsedCommandLine parse(std::initializer_list<const char*> words) {
  std::vector<const char*> argv{"packet-analysis"};
  argv.insert(argv.end(), words.begin(), words.end());
  return parse_command_line(static_cast<int>(argv.size()), argv.data());
}

std::string usage_error(std::initializer_list<const char*> words) {
  try {
    (void)parse(words);
  } catch (const UsageError& error) {
    return error.what();
  }
  return "no error";
}

TEST(CommandLine, KeepsThe2015DefaultsAndFlags) {
  const auto parsed = parse({"-f", "a.pcap", "b.pcap"});
  ASSERT_TRUE(parsed.options.has_value());
  const CommandLine& options = *parsed.options;
  EXPECT_EQ(options.capture_files, (std::vector<std::string>{"a.pcap", "b.pcap"}));
  EXPECT_EQ(options.stream_port, 8000);
  EXPECT_EQ(options.stream_connections, 10u);
  EXPECT_EQ(options.analysis.watch_host, "www.google.com");
  EXPECT_EQ(options.analysis.watch_port, 80);
  EXPECT_TRUE(options.analysis.learn_from_dns);
  EXPECT_EQ(options.format, ReportFormat::text);
}

TEST(CommandLine, ReadsEveryOption) {
  const auto parsed = parse({"-r", "x.pcapng", "-d", "-p", "0", "-c", "0", "-g", "1.2.3.4",
                             "2001:db8::1", "--watch-host", "example.org", "--watch-port", "8080",
                             "--format", "json", "-o", "out.json", "-q"});
  ASSERT_TRUE(parsed.options.has_value());
  const CommandLine& options = *parsed.options;
  EXPECT_EQ(options.capture_files, std::vector<std::string>{"x.pcapng"});
  EXPECT_FALSE(options.analysis.learn_from_dns);
  EXPECT_EQ(options.stream_port, 0);
  EXPECT_EQ(options.stream_connections, 0u);
  ASSERT_EQ(options.analysis.preset_addresses.size(), 2u);
  EXPECT_EQ(options.analysis.preset_addresses[1].to_string(), "2001:db8::1");
  EXPECT_EQ(options.analysis.watch_host, "example.org");
  EXPECT_EQ(options.analysis.watch_port, 8080);
  EXPECT_EQ(options.format, ReportFormat::json);
  EXPECT_EQ(options.output_path, "out.json");
  EXPECT_TRUE(options.quiet);
}

TEST(CommandLine, HelpDocumentsEveryOptionAndDefault) {
  const auto parsed = parse({"-h"});
  EXPECT_FALSE(parsed.options.has_value());
  for (const char* text :
       {"-f", "-r", "-d", "-g", "-c", "-p", "--watch-host", "--watch-port", "--format", "-o",
        "--version", "-q", "www.google.com", "8000", "Exit status"}) {
    EXPECT_NE(parsed.text.find(text), std::string::npos) << text;
  }
}

TEST(CommandLine, RejectsBadValuesNamingTheOption) {
  EXPECT_NE(usage_error({"-f", "a", "-g", "300.1.1.1"}).find("-g: '300.1.1.1'"), std::string::npos);
  EXPECT_NE(usage_error({"-f", "a", "--watch-port", "70000"}).find("--watch-port"),
            std::string::npos);
  EXPECT_NE(usage_error({"-f", "a", "-p", "-1"}).find("-p"), std::string::npos);
  EXPECT_NE(usage_error({"-f", "a", "-c", "-3"}).find("-c"), std::string::npos);
  EXPECT_NE(usage_error({"-f", "a", "--format", "xml"}).find("--format"), std::string::npos);
  EXPECT_NE(usage_error({"--bogus"}).find("--bogus"), std::string::npos);
  EXPECT_NE(usage_error({}).find("no capture"), std::string::npos);
  EXPECT_NE(usage_error({"-f"}).find("-f"), std::string::npos);
}

TEST(CommandLine, ReadsTheServeCommandWithTheReportingOptions) {
  const auto parsed = parse({"serve", "-f", "a.pcap", "-p", "0", "-c", "2", "--listen", "::1",
                             "--format", "json", "-g", "192.0.2.1"});
  ASSERT_TRUE(parsed.options.has_value());
  const CommandLine& options = *parsed.options;
  EXPECT_EQ(options.command, Command::serve);
  EXPECT_EQ(options.capture_files, std::vector<std::string>{"a.pcap"});
  EXPECT_EQ(options.stream_port, 0);
  EXPECT_EQ(options.stream_connections, 2u);
  EXPECT_EQ(options.listen_address, "::1");
  EXPECT_EQ(options.format, ReportFormat::json);
  ASSERT_EQ(options.analysis.preset_addresses.size(), 1u);
}

TEST(CommandLine, ReadsTheConsumeCommandAndItsEndpoint) {
  auto parsed = parse({"consume", "--connect", "127.0.0.1:9000", "-c", "3"});
  ASSERT_TRUE(parsed.options.has_value());
  EXPECT_EQ(parsed.options->command, Command::consume);
  EXPECT_EQ(parsed.options->connect_host, "127.0.0.1");
  EXPECT_EQ(parsed.options->connect_port, 9000);
  EXPECT_EQ(parsed.options->stream_connections, 3u);
  parsed = parse({"consume", "--connect", "[::1]:8000"});
  ASSERT_TRUE(parsed.options.has_value());
  EXPECT_EQ(parsed.options->connect_host, "::1");
  EXPECT_EQ(parsed.options->stream_connections, 10u);
}

TEST(CommandLine, KeepsTheDefaultCommandAndListensOnLoopback) {
  const auto parsed = parse({"-f", "a.pcap"});
  ASSERT_TRUE(parsed.options.has_value());
  EXPECT_EQ(parsed.options->command, Command::analyze);
  EXPECT_EQ(parsed.options->listen_address, "127.0.0.1");
}

TEST(CommandLine, RejectsBadStreamValuesNamingTheOption) {
  EXPECT_NE(usage_error({"-f", "a", "--listen", "localhost"}).find("--listen"), std::string::npos);
  EXPECT_NE(usage_error({"serve", "-f", "a", "-c", "0"}).find("-c"), std::string::npos);
  EXPECT_NE(usage_error({"consume", "--connect", "host"}).find("--connect"), std::string::npos);
  EXPECT_NE(usage_error({"consume", "--connect", "host:99999"}).find("--connect"),
            std::string::npos);
  EXPECT_NE(usage_error({"consume"}).find("--connect"), std::string::npos);
  EXPECT_NE(usage_error({"serve"}).find("no capture"), std::string::npos);
}

TEST(CommandLine, ReadsALiveCaptureWithTrailingFilterWordsAsTcpdumpDoes) {
  const auto parsed = parse({"-i",
                             "eth0",
                             "--snaplen",
                             "1500",
                             "--no-promiscuous",
                             "--buffer-size",
                             "4096",
                             "--duration",
                             "2.5",
                             "--packets",
                             "100",
                             "--interval",
                             "0.5",
                             "-w",
                             "live.pcapng",
                             "port",
                             "53",
                             "or",
                             "tcp",
                             "port",
                             "80"});
  ASSERT_TRUE(parsed.options.has_value());
  const CommandLine& options = *parsed.options;
  ASSERT_TRUE(options.live.has_value());
  EXPECT_TRUE(options.capture_files.empty());
  EXPECT_EQ(options.live->interface, "eth0");
  EXPECT_EQ(options.live->filter, "port 53 or tcp port 80");
  EXPECT_EQ(options.live->snap_length, 1500u);
  EXPECT_FALSE(options.live->promiscuous);
  EXPECT_EQ(options.live->buffer_size_kib, 4096u);
  EXPECT_EQ(options.live->duration_seconds, 2.5);
  EXPECT_EQ(options.live->packet_limit, 100u);
  EXPECT_EQ(options.live->interval_seconds, 0.5);
  EXPECT_EQ(options.live->write_path, "live.pcapng");
  // In-process unless -c asks for the stream mode: reports during the capture need it.
  EXPECT_EQ(options.stream_connections, 0u);
}

TEST(CommandLine, TakesTheFilterFromTheFilterOptionAndTheStreamModeFromC) {
  const auto parsed = parse({"-i", "any", "--filter", "udp port 53", "-c", "4"});
  ASSERT_TRUE(parsed.options.has_value());
  ASSERT_TRUE(parsed.options->live.has_value());
  EXPECT_EQ(parsed.options->live->filter, "udp port 53");
  EXPECT_TRUE(parsed.options->live->promiscuous);
  EXPECT_EQ(parsed.options->live->snap_length, 262144u);
  EXPECT_FALSE(parsed.options->live->duration_seconds.has_value());
  EXPECT_EQ(parsed.options->stream_connections, 4u);
  // Reports during the capture work through the stream mode too.
  const auto interval = parse({"-i", "lo", "--interval", "1", "-c", "3"});
  ASSERT_TRUE(interval.options.has_value());
  EXPECT_EQ(interval.options->stream_connections, 3u);
  EXPECT_EQ(interval.options->live->interval_seconds, 1.0);
}

TEST(CommandLine, ListsInterfacesWithoutNeedingACapture) {
  const auto parsed = parse({"-D"});
  ASSERT_TRUE(parsed.options.has_value());
  EXPECT_TRUE(parsed.options->list_interfaces);
  EXPECT_FALSE(parsed.options->live.has_value());
}

TEST(CommandLine, RejectsLiveOptionsThatCannotBeUsed) {
  EXPECT_NE(usage_error({"-f", "a", "-i", "lo"}).find("-f and -i cannot be used together"),
            std::string::npos);
  EXPECT_NE(usage_error({"-f", "a", "--duration", "3"}).find("--duration needs -i"),
            std::string::npos);
  EXPECT_NE(usage_error({"-f", "a", "-w", "x.pcapng"}).find("-w needs -i"), std::string::npos);
  EXPECT_NE(usage_error({"-f", "a", "-q", "port", "53"}).find("needs -i INTERFACE"),
            std::string::npos);
  EXPECT_NE(usage_error({"-i", "lo", "--filter", "udp", "tcp"}).find("give one filter"),
            std::string::npos);
  EXPECT_NE(usage_error({"-i", "lo", "--snaplen", "0"}).find("--snaplen"), std::string::npos);
  EXPECT_NE(usage_error({"-i", "lo", "--duration", "0"}).find("--duration"), std::string::npos);
  EXPECT_NE(usage_error({"-i", "lo", "--packets", "0"}).find("--packets"), std::string::npos);
  EXPECT_NE(usage_error({"-i", "lo", "--interval", "0.01"}).find("--interval"), std::string::npos);
  EXPECT_NE(usage_error({"-i", "lo", "--buffer-size", "0"}).find("--buffer-size"),
            std::string::npos);
  EXPECT_NE(usage_error({"-i", "lo", "-w", "-"}).find("-o FILE"), std::string::npos);
}

TEST(CommandLine, HelpOfASubcommandDescribesIt) {
  EXPECT_NE(parse({"serve", "-h"}).text.find("--listen"), std::string::npos);
  EXPECT_NE(parse({"consume", "--help"}).text.find("--connect"), std::string::npos);
}

}  // namespace
}  // namespace pa::app

namespace pa::app {
namespace {

TEST(CommandLine, ReadsTheReportLayoutOptions) {
  auto parsed = parse({"-f", "a", "--qtype", "a,AAAA,65,https", "--group-by", "registrable-domain",
                       "--top", "50", "--format", "html"});
  ASSERT_TRUE(parsed.options.has_value());
  const analysis::AnalysisOptions& analysis = parsed.options->analysis;
  EXPECT_EQ(analysis.query_types, (std::vector<std::uint16_t>{1, 28, 65}));
  EXPECT_EQ(analysis.group_by, analysis::NameGrouping::registrable_domain);
  ASSERT_TRUE(analysis.top.has_value());
  EXPECT_EQ(*analysis.top, 50u);
  EXPECT_EQ(parsed.options->format, ReportFormat::html);

  parsed =
      parse({"-f", "a", "--qtype", "ANY", "--group-by", "tld", "--top", "0", "--format", "csv"});
  ASSERT_TRUE(parsed.options.has_value());
  EXPECT_TRUE(parsed.options->analysis.query_types.empty());
  EXPECT_EQ(parsed.options->analysis.group_by, analysis::NameGrouping::tld);
  EXPECT_EQ(parsed.options->analysis.top, std::size_t{0});
  EXPECT_EQ(parsed.options->format, ReportFormat::csv);

  parsed = parse({"-f", "a"});
  ASSERT_TRUE(parsed.options.has_value());
  EXPECT_EQ(parsed.options->analysis.query_types, std::vector<std::uint16_t>{1});
  EXPECT_EQ(parsed.options->analysis.group_by, analysis::NameGrouping::name);
  EXPECT_FALSE(parsed.options->analysis.top.has_value());
}

TEST(CommandLine, RejectsUnknownQuestionTypesListingTheKnownOnes) {
  const std::string error = usage_error({"-f", "a", "--qtype", "A,BOGUS"});
  EXPECT_NE(error.find("--qtype: 'BOGUS'"), std::string::npos) << error;
  EXPECT_NE(error.find("AAAA"), std::string::npos) << error;
  EXPECT_NE(error.find("HTTPS"), std::string::npos) << error;
  EXPECT_NE(usage_error({"-f", "a", "--qtype", "A,"}).find("--qtype"), std::string::npos);
  EXPECT_NE(usage_error({"-f", "a", "--qtype", "70000"}).find("--qtype"), std::string::npos);
  EXPECT_NE(usage_error({"-f", "a", "--top", "-1"}).find("--top"), std::string::npos);
  EXPECT_NE(usage_error({"-f", "a", "--group-by", "zone"}).find("--group-by"), std::string::npos);
}

TEST(CommandLine, ReadsThreadsForAnInProcessRunOnly) {
  const auto parsed = parse({"-c", "0", "-j", "3", "-f", "a.pcap"});
  ASSERT_TRUE(parsed.options.has_value());
  EXPECT_EQ(parsed.options->threads, 3u);
  EXPECT_FALSE(parse({"-c", "0", "-f", "a.pcap"}).options->threads.has_value());
  EXPECT_GE(default_threads(), 1u);
  EXPECT_LE(default_threads(), 8u);
  EXPECT_EQ(usage_error({"-c", "0", "-j", "0", "-f", "a.pcap"}),
            "-j: 0 threads is out of range (1-256)");
  EXPECT_EQ(usage_error({"-c", "0", "--threads", "257", "-f", "a.pcap"}),
            "-j: 257 threads is out of range (1-256)");
  EXPECT_EQ(usage_error({"-j", "2", "-f", "a.pcap"}),
            "-j: threads read capture files with -c 0 only");
  EXPECT_EQ(usage_error({"-j", "2", "-i", "lo"}),
            "-j: threads read capture files with -c 0 only (not with -i)");
}

}  // namespace
}  // namespace pa::app
