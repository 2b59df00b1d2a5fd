#include "analysis/partial_result.hpp"

#include <gtest/gtest.h>

namespace pa::analysis {
namespace {

base::IpAddress address(const char* text) { return *base::IpAddress::parse(text); }

TEST(ResultMerger, KeepsTheFirstPacketThatTaughtAnAddressWhateverTheArrivalOrder) {
  ResultMerger merger(AnalysisOptions{});
  PartialResult later;
  later.learned = {{address("10.0.0.1"), 40, 4000}, {address("10.0.0.2"), 40, 4000}};
  PartialResult earlier;
  earlier.learned = {{address("10.0.0.2"), 7, 700}};
  merger.add(later);
  merger.add(earlier);
  const AnalysisResult result = merger.result();
  ASSERT_EQ(result.watched_addresses.size(), 2u);
  EXPECT_EQ(result.watched_addresses[0].address, address("10.0.0.2"));
  EXPECT_EQ(result.watched_addresses[0].packet_number, 7u);
  EXPECT_EQ(result.watched_addresses[0].timestamp_ns, 700);
  EXPECT_EQ(result.watched_addresses[1].packet_number, 40u);
}

TEST(ResultMerger, CountsASynOnlyAfterThePacketThatTaughtItsDestination) {
  ResultMerger merger(AnalysisOptions{});
  PartialResult syns;
  syns.syn_candidates = {{address("10.0.0.1"), 1000, 5},    // before the answer
                         {address("10.0.0.1"), 1001, 9},    // the answer's own packet number
                         {address("10.0.0.1"), 1002, 12},   // after it
                         {address("10.0.0.3"), 1003, 12}};  // never learned
  PartialResult answer;
  answer.learned = {{address("10.0.0.1"), 9, 0}};
  merger.add(syns);
  merger.add(answer);
  EXPECT_EQ(merger.result().source_ports, (std::vector<std::uint16_t>{1002}));
}

TEST(ResultMerger, SettlingDecidesCandidatesExactlyAndForgetsThem) {
  ResultMerger merger(AnalysisOptions{});
  PartialResult answer;
  answer.learned = {{address("10.0.0.1"), 9, 0}};
  merger.add(answer);
  PartialResult syns;
  syns.syn_candidates = {{address("10.0.0.2"), 2000, 20}, {address("10.0.0.2"), 2001, 30}};
  merger.add(syns);
  merger.settle(25);
  EXPECT_EQ(merger.pending_candidates(), 1u);
  PartialResult late_answer;
  late_answer.learned = {{address("10.0.0.2"), 22, 0}};
  merger.add(late_answer);
  EXPECT_EQ(merger.result().source_ports, (std::vector<std::uint16_t>{2001}));
}

TEST(ResultMerger, PutsPresetsFirstAndCountsTheirSynsFromTheFirstPacket) {
  AnalysisOptions options;
  options.preset_addresses = {address("192.0.2.9"), address("2001:db8::1")};
  ResultMerger merger(options);
  PartialResult part;
  part.learned = {{address("10.0.0.1"), 3, 0}, {address("192.0.2.9"), 4, 0}};
  part.syn_candidates = {{address("2001:db8::1"), 7, 1}};
  merger.add(part);
  const AnalysisResult result = merger.result();
  ASSERT_EQ(result.watched_addresses.size(), 3u);
  EXPECT_EQ(result.watched_addresses[0].address, address("192.0.2.9"));
  EXPECT_EQ(result.watched_addresses[0].packet_number, 0u);
  EXPECT_EQ(result.watched_addresses[1].address, address("2001:db8::1"));
  EXPECT_EQ(result.watched_addresses[2].address, address("10.0.0.1"));
  EXPECT_EQ(result.source_ports, (std::vector<std::uint16_t>{7}));
}

TEST(ResultMerger, AddsCountsAndSortsNamesAsTheAnalyzerDoes) {
  ResultMerger merger(AnalysisOptions{});
  PartialResult a;
  a.query_counts = {{"b.example", 2}, {"a.example", 1}};
  a.drops.add(base::Drop::dns_malformed);
  a.skipped_packets = 2;
  PartialResult b;
  b.query_counts = {{"a.example", 1}};
  b.drops.add(base::Drop::dns_malformed, 2);
  b.skipped_packets = 1;
  merger.add(a);
  merger.add(b);
  const AnalysisResult result = merger.result();
  ASSERT_EQ(result.query_counts.size(), 2u);
  EXPECT_EQ(result.query_counts[0].name, "a.example");
  EXPECT_EQ(result.query_counts[1].name, "b.example");
  EXPECT_EQ(result.total_queries, 4u);
  EXPECT_EQ(result.drops[base::Drop::dns_malformed], 3u);
  EXPECT_EQ(result.skipped_packets, 3u);
}

TEST(PartialAnalyzer, KeepsTheLastSynPerDestinationAndPortAndStartsAfreshAfterTake) {
  PartialAnalyzer analyzer(AnalysisOptions{});
  decode::TcpSegmentHeader syn{address("10.0.0.1"), address("10.0.0.2"), 1234, 80,
                               decode::tcp_flag::syn};
  analyzer.on_tcp_segment({3, 0}, syn);
  analyzer.on_tcp_segment({8, 0}, syn);
  decode::TcpSegmentHeader syn_ack = syn;
  syn_ack.flags = decode::tcp_flag::syn | decode::tcp_flag::ack;
  analyzer.on_tcp_segment({9, 0}, syn_ack);
  PartialResult first = analyzer.take();
  ASSERT_EQ(first.syn_candidates.size(), 1u);
  EXPECT_EQ(first.syn_candidates[0].packet_number, 8u);
  EXPECT_TRUE(analyzer.take().syn_candidates.empty());
}

TEST(PartialAnalyzer, HandsOutTheQueriesSeenSinceTheLastTakeAndThenNone) {
  PartialAnalyzer analyzer(AnalysisOptions{});
  const std::vector<std::uint8_t> query{
      0x12, 0x34,  // id
      0x01, 0x00,  // flags: QR=0, OPCODE=0, RD
      0x00, 0x01,  // one question
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 'a',  0x07,
      'e',  'x',  'a',  'm',  'p',  'l',  'e',  0x00,  // a.example
      0x00, 0x01,                                      // QTYPE A
      0x00, 0x01,                                      // QCLASS IN
  };
  analyzer.on_dns_message({1, 0}, query, decode::DnsTransport::udp, false);
  analyzer.on_dns_message({2, 0}, query, decode::DnsTransport::udp, false);
  const PartialResult first = analyzer.take();
  EXPECT_EQ(first.dns_messages, 2u);
  ASSERT_EQ(first.query_counts.size(), 1u);
  EXPECT_EQ(first.query_counts[0].name, "a.example");
  EXPECT_EQ(first.query_counts[0].count, 2u);
  const PartialResult second = analyzer.take();
  EXPECT_EQ(second.dns_messages, 0u);
  EXPECT_TRUE(second.query_counts.empty());
}

}  // namespace
}  // namespace pa::analysis

namespace pa::analysis {
namespace {

TEST(PartialAnalyzer, TimelinesOfAnySplitMergeIntoTheWholeRunsTimeline) {
  const std::vector<std::uint8_t> query{
      0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x01, 'a',  0x07, 'e',  'x',  'a',  'm',  'p',  'l',  'e',  0x00,  // a.example
      0x00, 0x01, 0x00, 0x01,                                            // A, IN
  };
  const decode::TcpSegmentHeader syn{address("10.0.0.1"), address("10.0.0.2"), 1234, 80,
                                     decode::tcp_flag::syn};
  // Packet n at n * 0.7 s: a query at every packet, a SYN at every third.
  const auto feed = [&](decode::PacketEvents& events, std::uint64_t n) {
    const decode::PacketContext context{n, static_cast<std::int64_t>(n) * 700'000'000};
    events.on_dns_message(context, query, decode::DnsTransport::udp, false);
    if (n % 3 == 0) events.on_tcp_segment(context, syn);
  };
  Analyzer whole{AnalysisOptions{}};
  for (std::uint64_t n = 1; n <= 200; ++n) feed(whole, n);
  const Timeline expected = whole.result().timeline;
  ASSERT_FALSE(expected.has_no_buckets());

  for (const std::uint64_t batch : {1u, 7u, 64u, 200u}) {
    PartialAnalyzer first_lane{AnalysisOptions{}};
    PartialAnalyzer second_lane{AnalysisOptions{}};
    ResultMerger merger{AnalysisOptions{}};
    for (std::uint64_t n = 1; n <= 200; ++n) {
      feed((n / batch) % 2 == 0 ? static_cast<decode::PacketEvents&>(first_lane) : second_lane, n);
      if (n % batch == 0) {
        merger.add(first_lane.take());
        merger.add(second_lane.take());
      }
    }
    merger.add(second_lane.take());
    merger.add(first_lane.take());
    EXPECT_EQ(merger.result().timeline, expected) << "batches of " << batch;
  }
}

}  // namespace
}  // namespace pa::analysis
