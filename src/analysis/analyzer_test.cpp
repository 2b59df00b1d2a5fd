#include "analysis/analyzer.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "dns/dns_test_message.hpp"

namespace pa::analysis {
namespace {

using base::Drop;
using base::IpAddress;
using decode::DnsTransport;
using decode::PacketContext;
using decode::TcpSegmentHeader;
using dns::testing::TestMessage;
namespace flag = decode::tcp_flag;

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

PacketContext at(std::uint64_t packet_number) {
  return {packet_number, static_cast<std::int64_t>(packet_number) * 1'000'000'000};
}

TcpSegmentHeader syn_to(const char* destination, std::uint16_t source_port,
                        std::uint16_t destination_port = 80, std::uint8_t flags = flag::syn) {
  TcpSegmentHeader segment;
  segment.source = IpAddress::parse(destination)->is_v4() ? ip("10.0.0.1") : ip("fd00::1");
  segment.destination = ip(destination);
  segment.source_port = source_port;
  segment.destination_port = destination_port;
  segment.flags = flags;
  return segment;
}

void dns(Analyzer& analyzer, std::uint64_t packet_number, const TestMessage& message,
         bool cut_by_capture = false) {
  analyzer.on_dns_message(at(packet_number), message.bytes(), DnsTransport::udp, cut_by_capture);
}

std::vector<std::string> watched(const AnalysisResult& result) {
  std::vector<std::string> out;
  for (const LearnedAddress& a : result.watched_addresses) out.push_back(a.address.to_string());
  return out;
}

std::vector<std::string> counts(const AnalysisResult& result) {
  std::vector<std::string> out;
  for (const NameCount& c : result.query_counts)
    out.push_back(c.name + "=" + std::to_string(c.count));
  return out;
}

TEST(RunCounters, AddUpFieldByField) {
  RunCounters a;
  a.dns_messages = 10;
  a.malformed_dns_messages = 2;
  a.malformed_answer_sections = 1;
  a.skipped_packets = 7;
  a.drops.add(Drop::dns_malformed, 2);
  RunCounters b;
  b.dns_messages = 5;
  b.malformed_dns_messages = 1;
  b.malformed_answer_sections = 4;
  b.skipped_packets = 3;
  b.drops.add(Drop::dns_malformed);
  b.drops.add(Drop::dns_truncated, 6);
  a += b;
  EXPECT_EQ(a.dns_messages, 15u);
  EXPECT_EQ(a.malformed_dns_messages, 3u);
  EXPECT_EQ(a.malformed_answer_sections, 5u);
  EXPECT_EQ(a.skipped_packets, 10u);
  EXPECT_EQ(a.drops[Drop::dns_malformed], 3u);
  EXPECT_EQ(a.drops[Drop::dns_truncated], 6u);
  // A result's counters are its RunCounters part: assigning them leaves the rest alone.
  AnalysisResult result;
  result.total_queries = 4;
  result.counters() = a;
  EXPECT_EQ(result.skipped_packets, 10u);
  EXPECT_EQ(result.total_queries, 4u);
}

TEST(Analyzer, CountsAQuestionsOfStandardQueries) {
  Analyzer analyzer{{}};
  TestMessage two;
  two.header(dns::testing::standard_query, 3, 0)
      .question("WWW.example.com")
      .question("mail.example.com", 28)  // AAAA: not counted
      .question("b.example", 1, 3);      // class CH still counts: the SPEC looks at QTYPE only
  dns(analyzer, 1, two);
  TestMessage again;
  again.header(dns::testing::standard_query, 1, 0).question("www.example.com.");
  dns(analyzer, 2, again);
  dns(analyzer, 3, again);  // a retransmission counts again
  const AnalysisResult result = analyzer.result();
  EXPECT_EQ(counts(result), (std::vector<std::string>{"www.example.com=3", "b.example=1"}));
  EXPECT_EQ(result.total_queries, 4u);
  EXPECT_EQ(result.dns_messages, 3u);
  EXPECT_EQ(result.malformed_dns_messages, 0u);
}

std::vector<std::string> typed_counts(const AnalysisResult& result) {
  std::vector<std::string> out;
  for (const NameCount& c : result.query_counts)
    out.push_back(c.name + "/" + std::to_string(c.type) + "=" + std::to_string(c.count));
  return out;
}

TestMessage mixed_types() {
  TestMessage message;
  message.header(dns::testing::standard_query, 4, 0)
      .question("www.example.com")
      .question("www.example.com", 28)
      .question("www.example.com", 65)
      .question("mail.example.com", 15);
  return message;
}

TEST(Analyzer, CountsEachListedQuestionTypeInARowOfItsOwn) {
  AnalysisOptions options;
  options.query_types = {28, 1};
  Analyzer analyzer{options};
  dns(analyzer, 1, mixed_types());
  dns(analyzer, 2, mixed_types());
  const AnalysisResult result = analyzer.result();
  EXPECT_EQ(typed_counts(result),
            (std::vector<std::string>{"www.example.com/1=2", "www.example.com/28=2"}));
  EXPECT_EQ(result.total_queries, 4u);
}

TEST(Analyzer, CountsEveryQuestionTypeWithAny) {
  AnalysisOptions options;
  options.query_types = {};
  Analyzer analyzer{options};
  dns(analyzer, 1, mixed_types());
  const AnalysisResult result = analyzer.result();
  EXPECT_EQ(typed_counts(result),
            (std::vector<std::string>{"mail.example.com/15=1", "www.example.com/1=1",
                                      "www.example.com/28=1", "www.example.com/65=1"}));
  EXPECT_EQ(result.total_queries, 4u);
}

TEST(Analyzer, CountsOnlyTheOneTypeGivenInsteadOfA) {
  AnalysisOptions options;
  options.query_types = {65};
  Analyzer analyzer{options};
  dns(analyzer, 1, mixed_types());
  const AnalysisResult result = analyzer.take_result();
  EXPECT_EQ(typed_counts(result), (std::vector<std::string>{"www.example.com/65=1"}));
}

TEST(Analyzer, IgnoresResponsesAndOtherOpcodesForQueryCounts) {
  Analyzer analyzer{{}};
  TestMessage response;
  response.header(dns::testing::standard_response, 1, 0).question("a.example");
  TestMessage notify;
  notify.header(dns::testing::notify_query, 1, 0).question("b.example");
  dns(analyzer, 1, response);
  dns(analyzer, 2, notify);
  const AnalysisResult result = analyzer.result();
  EXPECT_TRUE(result.query_counts.empty());
  EXPECT_EQ(result.total_queries, 0u);
  EXPECT_EQ(result.dns_messages, 2u);
}

TEST(Analyzer, CountsNothingFromMessageWithBrokenQuestionSection) {
  Analyzer analyzer{{}};
  // Two questions promised; the second is cut after its name.
  TestMessage m;
  m.header(dns::testing::standard_query, 2, 0).question("a.example").name("b.example");
  dns(analyzer, 1, m);
  dns(analyzer, 2, m, /*cut_by_capture=*/true);
  TestMessage bad_label;
  bad_label.header(dns::testing::standard_query, 1, 0).raw({0x40, 0x00}).u16(1).u16(1);
  dns(analyzer, 3, bad_label, /*cut_by_capture=*/true);
  const std::vector<std::uint8_t> short_header(5, 0);
  analyzer.on_dns_message(at(4), short_header, DnsTransport::tcp, false);
  const AnalysisResult result = analyzer.result();
  EXPECT_TRUE(result.query_counts.empty());
  EXPECT_EQ(result.malformed_dns_messages, 4u);
  EXPECT_EQ(result.drops[Drop::dns_malformed], 3u);
  EXPECT_EQ(result.drops[Drop::dns_truncated], 1u);
}

TEST(Analyzer, SortsCountsDescendingThenNamesByBytes) {
  Analyzer analyzer{{}};
  std::uint64_t n = 1;
  for (const char* name : {"b.example", "a.example", "c.example", "c.example", "a-b.example"}) {
    TestMessage m;
    m.header(dns::testing::standard_query, 1, 0).question(name);
    dns(analyzer, n++, m);
  }
  EXPECT_EQ(counts(analyzer.result()), (std::vector<std::string>{"c.example=2", "a-b.example=1",
                                                                 "a.example=1", "b.example=1"}));
}

TEST(Analyzer, ReportsQueriedNamesEscaped) {
  Analyzer analyzer{{}};
  TestMessage m;
  m.header(dns::testing::standard_query, 1, 0).raw({3, 'a', 0x1b, '.', 0}).u16(1).u16(1);
  dns(analyzer, 1, m);
  EXPECT_EQ(counts(analyzer.result()), (std::vector<std::string>{"a\\027\\.=1"}));
}

TEST(Analyzer, LearnsAddressesOfWatchedNameAndCountsSynsOnlyAfterTheResponse) {
  Analyzer analyzer{{}};
  // A SYN before the response, to an address not yet known.
  analyzer.on_tcp_segment(at(1), syn_to("142.250.1.1", 40001));
  TestMessage response;
  response.header(dns::testing::standard_response, 1, 2)
      .question("www.google.com")
      .a("WWW.GOOGLE.COM", {142, 250, 1, 1})
      .aaaa("www.google.com", {0x2a, 0x00, 0x14, 0x50, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20, 0x04});
  dns(analyzer, 2, response);
  // The same packet number as the response does not count; a later one does.
  analyzer.on_tcp_segment(at(2), syn_to("142.250.1.1", 40002));
  analyzer.on_tcp_segment(at(3), syn_to("142.250.1.1", 40003));
  analyzer.on_tcp_segment(at(4), syn_to("2a00:1450::2004", 40004));
  const AnalysisResult result = analyzer.result();
  EXPECT_EQ(watched(result), (std::vector<std::string>{"142.250.1.1", "2a00:1450::2004"}));
  EXPECT_EQ(result.watched_addresses[0].packet_number, 2u);
  EXPECT_EQ(result.watched_addresses[0].timestamp_ns, 2'000'000'000);
  EXPECT_EQ(result.source_ports, (std::vector<std::uint16_t>{40003, 40004}));
}

TEST(Analyzer, CountsOnlySynWithoutAckOrRstToTheWatchedPort) {
  AnalysisOptions options;
  options.preset_addresses = {ip("192.0.2.80")};
  Analyzer analyzer{options};
  analyzer.on_tcp_segment(at(1), syn_to("192.0.2.80", 1001, 80, flag::syn | flag::ack));
  analyzer.on_tcp_segment(at(2), syn_to("192.0.2.80", 1002, 80, flag::syn | flag::rst));
  analyzer.on_tcp_segment(at(3), syn_to("192.0.2.80", 1003, 80, flag::ack));
  analyzer.on_tcp_segment(at(4), syn_to("192.0.2.80", 1004, 443));
  analyzer.on_tcp_segment(at(5), syn_to("192.0.2.81", 1005, 80));
  analyzer.on_tcp_segment(at(6), syn_to("192.0.2.80", 1006, 80, flag::syn | flag::ece | flag::cwr));
  analyzer.on_tcp_segment(at(7), syn_to("192.0.2.80", 1007, 80, flag::syn | flag::fin | flag::psh));
  analyzer.on_tcp_segment(at(8), syn_to("192.0.2.80", 1006));  // the same port again
  analyzer.on_tcp_segment(at(9), syn_to("192.0.2.80", 7));
  const AnalysisResult result = analyzer.result();
  EXPECT_EQ(result.source_ports, (std::vector<std::uint16_t>{7, 1006, 1007}));
  ASSERT_EQ(result.watched_addresses.size(), 1u);
  EXPECT_EQ(result.watched_addresses[0].packet_number, 0u);
}

TEST(Analyzer, FollowsCnameChainsInAnyRecordOrder) {
  AnalysisOptions options;
  options.watch_host = "WWW.Example.COM.";
  Analyzer analyzer{options};
  EXPECT_EQ(analyzer.watched_name(), "www.example.com");
  // www.example.com -> a.cdn -> b.cdn -> c.cdn, listed backward, with an unrelated chain.
  TestMessage response;
  response.header(dns::testing::standard_response, 1, 7)
      .question("www.example.com")
      .a("c.cdn", {198, 51, 100, 3})
      .a("other.cdn", {198, 51, 100, 9})
      .cname("b.cdn", "c.cdn")
      .cname("unrelated.example", "other.cdn")
      .a("b.cdn", {198, 51, 100, 2})
      .cname("a.cdn", "B.cdn")
      .cname("www.example.com", "a.cdn");
  dns(analyzer, 5, response);
  EXPECT_EQ(watched(analyzer.result()), (std::vector<std::string>{"198.51.100.3", "198.51.100.2"}));
}

TEST(Analyzer, SurvivesCnameLoops) {
  Analyzer analyzer{{}};
  TestMessage response;
  response.header(dns::testing::standard_response, 1, 5)
      .question("www.google.com")
      .cname("www.google.com", "x.example")
      .cname("x.example", "y.example")
      .cname("y.example", "www.google.com")
      .cname("y.example", "x.example")
      .a("y.example", {192, 0, 2, 7});
  dns(analyzer, 1, response);
  EXPECT_EQ(watched(analyzer.result()), (std::vector<std::string>{"192.0.2.7"}));
}

TEST(Analyzer, LearnsNothingFromAuthorityOrAdditionalRecords) {
  Analyzer analyzer{{}};
  TestMessage response;
  response.header(dns::testing::standard_response, 1, 1, 1, 1)
      .question("www.google.com")
      .cname("www.google.com", "edge.example")
      .a("edge.example", {192, 0, 2, 1})     // authority
      .a("www.google.com", {192, 0, 2, 2});  // additional
  dns(analyzer, 1, response);
  EXPECT_TRUE(analyzer.result().watched_addresses.empty());
}

TEST(Analyzer, UsesAnswersBeforeTheFirstMalformedRecord) {
  Analyzer analyzer{{}};
  TestMessage response;
  response.header(dns::testing::standard_response, 1, 3)
      .question("www.google.com")
      .a("www.google.com", {192, 0, 2, 1})
      .a("www.google.com", {192, 0, 2, 2, 2})  // 5-byte A record
      .a("www.google.com", {192, 0, 2, 3});
  dns(analyzer, 1, response);
  const AnalysisResult result = analyzer.result();
  EXPECT_EQ(watched(result), (std::vector<std::string>{"192.0.2.1"}));
  EXPECT_EQ(result.malformed_answer_sections, 1u);
  EXPECT_EQ(result.malformed_dns_messages, 0u);
}

TEST(Analyzer, LearnsFromResponsesOfAnyOpcodeButNotFromQueries) {
  Analyzer analyzer{{}};
  TestMessage query_with_answer;  // QR=0 carrying an answer record
  query_with_answer.header(dns::testing::standard_query, 1, 1)
      .question("www.google.com")
      .a("www.google.com", {192, 0, 2, 1});
  dns(analyzer, 1, query_with_answer);
  TestMessage notify_response;  // QR=1 OPCODE=4
  notify_response.header(0xA000, 1, 1)
      .question("www.google.com")
      .a("www.google.com", {192, 0, 2, 2});
  dns(analyzer, 2, notify_response);
  EXPECT_EQ(watched(analyzer.result()), (std::vector<std::string>{"192.0.2.2"}));
}

TEST(Analyzer, DoesNotLearnWhenLearningIsOff) {
  AnalysisOptions options;
  options.learn_from_dns = false;
  options.preset_addresses = {ip("2001:db8::80"), ip("192.0.2.80")};
  Analyzer analyzer{options};
  TestMessage response;
  response.header(dns::testing::standard_response, 1, 1)
      .question("www.google.com")
      .a("www.google.com", {192, 0, 2, 1});
  dns(analyzer, 1, response);
  analyzer.on_tcp_segment(at(2), syn_to("192.0.2.1", 5000));
  analyzer.on_tcp_segment(at(3), syn_to("2001:db8::80", 5001));
  const AnalysisResult result = analyzer.result();
  EXPECT_EQ(watched(result), (std::vector<std::string>{"2001:db8::80", "192.0.2.80"}));
  EXPECT_EQ(result.source_ports, (std::vector<std::uint16_t>{5001}));
}

TEST(Analyzer, KeepsThePacketThatFirstLearnedAnAddress) {
  Analyzer analyzer{{}};
  TestMessage response;
  response.header(dns::testing::standard_response, 1, 1)
      .question("www.google.com")
      .a("www.google.com", {192, 0, 2, 1});
  dns(analyzer, 3, response);
  dns(analyzer, 9, response);
  const AnalysisResult result = analyzer.result();
  ASSERT_EQ(result.watched_addresses.size(), 1u);
  EXPECT_EQ(result.watched_addresses[0].packet_number, 3u);
}

TEST(Analyzer, CountsEachSkippedPacketOnceAndKeepsEveryDrop) {
  Analyzer analyzer{{}};
  analyzer.on_drop(at(1), Drop::ipv4_truncated);
  analyzer.on_drop(at(2), Drop::ethertype_unsupported);
  analyzer.on_drop(at(2), Drop::ethertype_unsupported);
  analyzer.on_drop(at(3), Drop::fragment_expired);  // a datagram, not this packet
  analyzer.on_drop(at(4), Drop::tcp_stream_gap);
  const AnalysisResult result = analyzer.result();
  EXPECT_EQ(result.skipped_packets, 2u);
  EXPECT_EQ(result.drops.total(), 5u);
  EXPECT_EQ(result.drops[Drop::ethertype_unsupported], 2u);
}

TEST(Analyzer, RejectsWatchHostThatIsNoName) {
  AnalysisOptions options;
  options.watch_host = "a..b";
  EXPECT_THROW(Analyzer{options}, std::invalid_argument);
}

}  // namespace
}  // namespace pa::analysis

namespace pa::analysis {
namespace {

TEST(Analyzer, TimesTheCountedQueriesAndEveryConnectionAttemptToTheWatchedPort) {
  AnalysisOptions options;
  options.watch_port = 443;
  Analyzer analyzer{options};
  TestMessage two;
  two.header(dns::testing::standard_query, 3, 0)
      .question("www.example.com")
      .question("mail.example.com", 28)  // AAAA: not counted, so not timed
      .question("b.example");
  dns(analyzer, 1, two);  // at 1 s
  TestMessage response;
  response.header(dns::testing::standard_response, 1, 0).question("www.example.com");
  dns(analyzer, 2, response);  // a response is no query
  // Connection attempts to port 443 count whatever their destination (none is watched here).
  analyzer.on_tcp_segment(at(3), syn_to("192.0.2.1", 1000, 443));
  analyzer.on_tcp_segment(at(4), syn_to("192.0.2.2", 1001, 443));
  analyzer.on_tcp_segment(at(5), syn_to("192.0.2.2", 1002, 80));  // other port
  analyzer.on_tcp_segment(at(6), syn_to("192.0.2.2", 1003, 443, flag::syn | flag::ack));
  const AnalysisResult result = analyzer.result();
  EXPECT_EQ(result.timeline.total(TimelineSeries::queries), 2u);
  EXPECT_EQ(result.timeline.total(TimelineSeries::queries), result.total_queries);
  EXPECT_EQ(result.timeline.total(TimelineSeries::connection_attempts), 2u);
  // From 1 s to 4 s at the narrowest width that fits: 3 s / 63 buckets -> 1/16 s.
  EXPECT_EQ(result.timeline.bucket_width_exponent(), -4);
  EXPECT_EQ(result.timeline.first_bucket(), 16);
  ASSERT_EQ(result.timeline.timeline_buckets().size(), 49u);
  EXPECT_EQ(result.timeline.timeline_buckets()[0].queries, 2u);
  EXPECT_EQ(result.timeline.timeline_buckets()[32].connection_attempts, 1u);
  EXPECT_EQ(result.timeline.timeline_buckets()[48].connection_attempts, 1u);
  EXPECT_TRUE(result.source_ports.empty());
}

}  // namespace
}  // namespace pa::analysis
