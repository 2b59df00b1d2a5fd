// SPEC: the results depend on nothing but the input and the options, not on how many streams
// did the work nor on their timing. The stream mode's text and JSON reports must equal -c 0's
// byte for byte, for every connection count, with random delays in the consumers and with
// connections killed part-way.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/capture_analysis.hpp"
#include "app/determinism_captures.hpp"
#include "app/stream_analysis.hpp"
#include "report/json_report.hpp"
#include "tests/support/temp_dir.hpp"

namespace pa::app {
namespace {

using determinism::corpus_files;
using determinism::render;
using determinism::Reports;
using determinism::write_reassembly_flood;

void ignore(std::string_view) {}

Reports direct(const std::vector<std::string>& paths, const analysis::AnalysisOptions& options) {
  return render(analyze_captures(paths, options, ignore), options);
}

Reports streamed(const std::vector<std::string>& paths, const analysis::AnalysisOptions& options,
                 std::uint32_t connections, const std::string& hooks) {
  stream::StreamSettings settings;
  settings.port = 0;
  settings.connections = connections;
  settings.hooks = stream::TestHooks::parse(hooks);
  StreamedAnalysis analysis = analyze_captures_streamed(paths, options, settings, ignore, ignore);
  // What happened to the connections is the run's, not the analysis's: it is checked here
  // and left out of the comparison with -c 0.
  const stream::StreamHealth& health = analysis.health;
  EXPECT_EQ(health.lanes, connections);
  EXPECT_LE(health.lanes_moved, health.connections_lost * connections);
  if (hooks.find("kill=") == std::string::npos) {
    EXPECT_TRUE(health.clean()) << "-c " << connections << " " << hooks;
    EXPECT_EQ(health.connections, connections);
    EXPECT_EQ(health.lanes_moved, 0U);
  }
  std::ostringstream json;
  report::write_json_report(json, analysis.result, options, analysis.summary);
  const auto parsed = nlohmann::json::parse(json.str());
  EXPECT_EQ(parsed.at("stream").at("lanes"), connections);
  EXPECT_EQ(parsed.at("stream").at("connections_lost"), health.connections_lost);
  EXPECT_EQ(parsed.at("stream").at("batches_resent"), health.batches_resent);
  analysis.summary.stream_health.clear();
  return render(analysis, options);
}

// Every count the issue names, some with random delays or faults (smaller batches, so that
// a kill falls in the middle of the run).
const std::vector<std::pair<std::uint32_t, std::string>> schedules = {
    {1, ""},
    {2, "delay_us=300,seed=2"},
    {3, "batch_bytes=16384,kill=1@3"},
    {7, "delay_us=100,seed=7,batch_bytes=8192,kill=0@2,kill=5@4"},
    {10, ""},
    {64, "delay_us=50,seed=64"},
};

void expect_same_reports(const std::vector<std::string>& paths,
                         const analysis::AnalysisOptions& options) {
  const Reports expected = direct(paths, options);
  // The pages compared hold the timeline (or say there is none) and the time span.
  EXPECT_NE(expected.html.find("Time span (UTC)"), std::string::npos);
  EXPECT_TRUE(expected.html.find("timeline-chart") != std::string::npos ||
              expected.html.find("there is no timeline") != std::string::npos);
  for (const auto& [connections, hooks] : schedules) {
    const Reports got = streamed(paths, options, connections, hooks);
    EXPECT_EQ(got.text, expected.text) << "-c " << connections << " " << hooks;
    EXPECT_EQ(got.json, expected.json) << "-c " << connections << " " << hooks;
    EXPECT_EQ(got.csv, expected.csv) << "-c " << connections << " " << hooks;
    EXPECT_EQ(got.html, expected.html) << "-c " << connections << " " << hooks;
  }
}

class StreamDeterminism : public testing::TestWithParam<std::string> {};

TEST_P(StreamDeterminism, GivesTheInProcessReportForEveryCountAndSchedule) {
  expect_same_reports({std::string(PA_SHARED_DIR) + "/corpus/real/" + GetParam()},
                      analysis::AnalysisOptions{});
}

INSTANTIATE_TEST_SUITE_P(RealCorpus, StreamDeterminism, testing::ValuesIn(corpus_files()),
                         [](const testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (std::isalnum(static_cast<unsigned char>(c)) == 0) c = '_';
                           }
                           return name;
                         });

TEST(StreamDeterminismOptions, HoldsWithPresetsWithoutLearningAndForSeveralFiles) {
  const std::string real = std::string(PA_SHARED_DIR) + "/corpus/real/";
  analysis::AnalysisOptions options;
  options.preset_addresses = {*base::IpAddress::parse("74.125.95.104")};
  options.learn_from_dns = false;
  expect_same_reports({real + "chrissanders__http_google.pcapng"}, options);
  options.learn_from_dns = true;
  options.watch_host = "www.espn.com";
  expect_same_reports({real + "chrissanders__http_espn.pcapng",
                       real + "chrissanders__http_google.pcapng", real + "pcpp__example2.pcap"},
                      options);
}

// --qtype, --group-by and --top: the consumers learn the question types from the hello; the
// grouping and the cut are made on the merged table.
TEST(StreamDeterminismOptions, HoldsForEveryQuestionTypeGroupingAndTop) {
  const std::string real = std::string(PA_SHARED_DIR) + "/corpus/real/";
  const std::vector<std::string> paths = {real + "pcpp__DnsPackets.pcap",
                                          real + "dnscap__dnso1tcp.pcap"};
  analysis::AnalysisOptions options;
  options.query_types = {};
  options.top = 7;
  expect_same_reports(paths, options);
  options.query_types = {28, 1, 65};
  options.group_by = analysis::NameGrouping::registrable_domain;
  options.top = 0;
  expect_same_reports(paths, options);
  options.query_types = {28};
  options.group_by = analysis::NameGrouping::tld;
  options.top.reset();
  expect_same_reports(paths, options);
}

TEST(StreamDeterminismGenerated, HoldsOnGeneratedCaptures) {
  const std::string generator = PA_GENERATOR;
  if (!std::filesystem::exists(generator)) GTEST_SKIP() << "no generator at " << generator;
  test::TempDir dir;
  for (const char* format : {"pcap", "pcapng"}) {
    const std::string path = dir.file(std::string("generated.") + format);
    const std::string command = generator + " --seed 11 --size 20000000 --format " + format +
                                " -o " + path + " > /dev/null";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
    expect_same_reports({path}, analysis::AnalysisOptions{});
  }
}

TEST(StreamDeterminismBounds, HoldsWhereReassemblyReachesItsBounds) {
  test::TempDir dir;
  const std::string path = dir.file("flood.pcap");
  write_reassembly_flood(path);
  const CaptureAnalysis analysis = analyze_captures({path}, analysis::AnalysisOptions{}, ignore);
  // The flood does reach the bounds in -c 0, and gives way on some queries, not all.
  EXPECT_GT(analysis.result.drops[base::Drop::fragment_evicted], 0u);
  EXPECT_GT(analysis.result.drops[base::Drop::tcp_stream_evicted], 0u);
  EXPECT_GT(analysis.result.dns_messages, 0u);
  expect_same_reports({path}, analysis::AnalysisOptions{});
}

}  // namespace
}  // namespace pa::app
