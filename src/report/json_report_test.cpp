#include "report/json_report.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace pa::report {
namespace {

using analysis::AnalysisOptions;
using analysis::AnalysisResult;
using base::IpAddress;

nlohmann::json write(const AnalysisResult& result, const AnalysisOptions& options,
                     const RunSummary& summary) {
  std::ostringstream out;
  write_json_report(out, result, options, summary);
  EXPECT_EQ(out.str().back(), '\n');
  return nlohmann::json::parse(out.str());
}

TEST(JsonReport, WritesEverySectionOfTheSchema) {
  AnalysisResult result;
  result.source_ports = {42588, 42589};
  result.query_counts = {{"www.google.com", 40}, {"bg.archive.ubuntu.com", 3}};
  result.total_queries = 88;
  result.watched_addresses = {{*IpAddress::parse("192.0.2.1"), 0, 0},
                              {*IpAddress::parse("2001:db8::1"), 7, 1'236'835'867'123'456'789}};
  result.dns_messages = 100;
  result.malformed_dns_messages = 2;
  result.skipped_packets = 3;
  result.drops.add(base::Drop::ipv4_truncated, 3);
  result.drops.add(base::Drop::dns_malformed, 2);
  AnalysisOptions options;
  options.watch_host = "WWW.Google.com.";
  RunSummary summary{{"a.pcap", "-"}, 1000, {"a.pcap: cut short at byte 4242"}, {}, {}, {}, {}};

  const nlohmann::json j = write(result, options, summary);
  EXPECT_EQ(j["version"], 1);
  EXPECT_EQ(j["inputs"], nlohmann::json({"a.pcap", "-"}));
  EXPECT_EQ(j["watch"],
            nlohmann::json({{"host", "www.google.com"}, {"port", 80}, {"learn_from_dns", true}}));
  EXPECT_EQ(j["packets"]["read"], 1000);
  EXPECT_EQ(j["packets"]["analyzed"], 997);
  EXPECT_EQ(j["packets"]["skipped"], 3);
  EXPECT_EQ(j["packets"]["skipped_by_reason"],
            nlohmann::json({{"ipv4_truncated", 3}, {"dns_malformed", 2}}));
  EXPECT_EQ(j["dns"]["messages"], 100);
  EXPECT_EQ(j["dns"]["malformed"], 2);
  EXPECT_EQ(j["dns"]["malformed_answer_sections"], 0);
  ASSERT_EQ(j["watched_addresses"].size(), 2u);
  EXPECT_EQ(
      j["watched_addresses"][0],
      nlohmann::json(
          {{"address", "192.0.2.1"}, {"packet", 0}, {"time", nullptr}, {"source", "preset"}}));
  EXPECT_EQ(j["watched_addresses"][1], nlohmann::json({{"address", "2001:db8::1"},
                                                       {"packet", 7},
                                                       {"time", "2009-03-12T05:31:07.123456789Z"},
                                                       {"source", "dns"}}));
  EXPECT_EQ(j["source_ports"], nlohmann::json({42588, 42589}));
  EXPECT_EQ(j["queries"]["total"], 88);
  ASSERT_EQ(j["queries"]["names"].size(), 2u);
  EXPECT_EQ(j["queries"]["names"][0]["name"], "www.google.com");
  EXPECT_EQ(j["queries"]["names"][0]["count"], 40);
  EXPECT_EQ(j["queries"]["names"][0]["percentage"], 45.45);
  EXPECT_EQ(j["queries"]["names"][1]["percentage"], 3.41);
  EXPECT_EQ(j["warnings"], nlohmann::json({"a.pcap: cut short at byte 4242"}));
}

TEST(JsonReport, LeavesTheLiveSectionOutForFiles) {
  const nlohmann::json j = write(AnalysisResult{}, AnalysisOptions{}, RunSummary{});
  EXPECT_FALSE(j.contains("live"));
}

TEST(JsonReport, WritesTheLiveSectionAfterTheInputs) {
  RunSummary summary;
  summary.live = LiveCaptureSummary{
      "lo",  "udp port 53",          1'236'835'867'123'456'789, 1'236'835'877'000'000'000,
      false, KernelCounts{108, 2, 1}};
  std::ostringstream out;
  write_json_report(out, AnalysisResult{}, AnalysisOptions{}, summary);
  EXPECT_LT(out.str().find("\"inputs\""), out.str().find("\"live\""));
  EXPECT_LT(out.str().find("\"live\""), out.str().find("\"watch\""));
  const nlohmann::json j = nlohmann::json::parse(out.str());
  EXPECT_EQ(
      j["live"],
      nlohmann::json({{"interface", "lo"},
                      {"filter", "udp port 53"},
                      {"start", "2009-03-12T05:31:07.123456789Z"},
                      {"end", "2009-03-12T05:31:17.000000000Z"},
                      {"final", false},
                      {"kernel", {{"received", 108}, {"dropped", 2}, {"interface_dropped", 1}}}}));
}

TEST(JsonReport, WritesNullKernelCountsWhereThePlatformHasNone) {
  RunSummary summary;
  summary.live = LiveCaptureSummary{"any", "", 0, 0, true, std::nullopt};
  const nlohmann::json j = write(AnalysisResult{}, AnalysisOptions{}, summary);
  EXPECT_TRUE(j["live"]["kernel"].is_null());
  EXPECT_EQ(j["live"]["final"], true);
}

TEST(JsonReport, OneLineLayoutIsTheSameObjectOnASingleLine) {
  AnalysisResult result;
  result.source_ports = {1024};
  result.query_counts = {{"a.example", 1}};
  result.total_queries = 1;
  RunSummary summary{{"a.pcap"}, 3, {"a warning"}, {}, {}, {}, {}};
  std::ostringstream indented;
  std::ostringstream one_line;
  write_json_report(indented, result, AnalysisOptions{}, summary);
  write_json_report(one_line, result, AnalysisOptions{}, summary, JsonLayout::one_line);
  const std::string line = one_line.str();
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  EXPECT_EQ(nlohmann::json::parse(line), nlohmann::json::parse(indented.str()));
}

TEST(JsonReport, WritesEmptyCollectionsAsEmptyArraysAndObjects) {
  const nlohmann::json j = write(AnalysisResult{}, AnalysisOptions{}, RunSummary{});
  EXPECT_EQ(j["inputs"], nlohmann::json::array());
  EXPECT_EQ(j["packets"]["skipped_by_reason"], nlohmann::json::object());
  EXPECT_EQ(j["watched_addresses"], nlohmann::json::array());
  EXPECT_EQ(j["source_ports"], nlohmann::json::array());
  EXPECT_EQ(j["queries"]["names"], nlohmann::json::array());
  EXPECT_EQ(j["warnings"], nlohmann::json::array());
}

TEST(JsonReport, SaysHowTheWorkWasSplitOnlyWhenItWas) {
  EXPECT_FALSE(write(AnalysisResult{}, AnalysisOptions{}, RunSummary{}).contains("threads"));
  RunSummary summary;
  summary.work_split = WorkSplit{"threads", 2, 8, 1, {}};
  const nlohmann::json j = write(AnalysisResult{}, AnalysisOptions{}, summary);
  EXPECT_EQ(j["threads"],
            (nlohmann::json{{"workers", 2}, {"pieces", 8}, {"pieces_read_again", 1}}));
  summary.work_split = WorkSplit{"mpi", 1, 1, 0, "standard input is read by rank 0 alone"};
  const nlohmann::json ranks = write(AnalysisResult{}, AnalysisOptions{}, summary);
  EXPECT_FALSE(ranks.contains("threads"));
  EXPECT_EQ(ranks["mpi"]["one_thread_because"], "standard input is read by rank 0 alone");
}

TEST(JsonReport, HasAStreamSectionOnlyForAStreamRunWithItsCountsInOrder) {
  EXPECT_FALSE(write(AnalysisResult{}, AnalysisOptions{}, RunSummary{}).contains("stream"));
  RunSummary summary;
  summary.stream_health = {{"lanes", 3}, {"connections_lost", 1}, {"batches_resent", 4}};
  const nlohmann::ordered_json j = nlohmann::ordered_json::parse([&] {
    std::ostringstream out;
    write_json_report(out, AnalysisResult{}, AnalysisOptions{}, summary);
    return out.str();
  }());
  ASSERT_TRUE(j.contains("stream"));
  EXPECT_EQ(j["stream"].dump(), R"({"lanes":3,"connections_lost":1,"batches_resent":4})");
}

TEST(JsonReport, ReplacesBytesThatAreNotUtf8) {
  RunSummary summary;
  summary.inputs = {"bad\xff.pcap"};
  const nlohmann::json j = write(AnalysisResult{}, AnalysisOptions{}, summary);
  EXPECT_EQ(j["inputs"][0], "bad\xEF\xBF\xBD.pcap");
}

TEST(JsonReport, FormatsTimestampsInUtcWithNanoseconds) {
  EXPECT_EQ(format_timestamp(0), "1970-01-01T00:00:00.000000000Z");
  EXPECT_EQ(format_timestamp(1), "1970-01-01T00:00:00.000000001Z");
  EXPECT_EQ(format_timestamp(-1), "1969-12-31T23:59:59.999999999Z");
  EXPECT_EQ(format_timestamp(1'700'000'000'500'000'000), "2023-11-14T22:13:20.500000000Z");
}

}  // namespace
}  // namespace pa::report

namespace pa::report {
namespace {

TEST(JsonReport, TellsTypesGroupingAndTheFoldedRowOnlyWhenAsked) {
  AnalysisResult result;
  result.query_counts = {{"example.com", 6, 1}, {"example.com", 3, 28}, {"example.org", 1, 1}};
  result.total_queries = 10;
  const nlohmann::json plain = write(result, AnalysisOptions{}, RunSummary{});
  EXPECT_FALSE(plain["queries"].contains("types"));
  EXPECT_FALSE(plain["queries"].contains("group_by"));
  EXPECT_FALSE(plain["queries"].contains("folded"));
  EXPECT_FALSE(plain["queries"]["names"][0].contains("type"));

  AnalysisOptions options;
  options.query_types = {1, 28};
  options.group_by = analysis::NameGrouping::registrable_domain;
  options.top = 1;
  const nlohmann::json json = write(result, options, RunSummary{});
  EXPECT_EQ(json["queries"]["types"], nlohmann::json::parse(R"(["A","AAAA"])"));
  EXPECT_EQ(json["queries"]["group_by"], "registrable-domain");
  ASSERT_EQ(json["queries"]["names"].size(), 1u);
  EXPECT_EQ(json["queries"]["names"][0]["type"], "A");
  EXPECT_EQ(json["queries"]["folded"]["names"], 2);
  EXPECT_EQ(json["queries"]["folded"]["count"], 4);
  EXPECT_DOUBLE_EQ(json["queries"]["folded"]["percentage"].get<double>(), 40.0);

  options.query_types = {};
  EXPECT_EQ(write(result, options, RunSummary{})["queries"]["types"], "any");
}

}  // namespace
}  // namespace pa::report
