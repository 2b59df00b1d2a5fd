#include "reassembly/packet_dissector.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "capture/capture_reader.hpp"
#include "decode/packet_builder.hpp"
#include "reassembly/record_router.hpp"
#include "reassembly/recording_events.hpp"

namespace pa::reassembly {
namespace {

using base::Drop;
using capture::LinkType;
using capture::PacketRecord;
using decode::PacketContext;
using decode::test::concat;
using decode::test::hex;
using decode::test::Packet;
namespace build = decode::test;
namespace tcp_flag = decode::tcp_flag;
using test::RecordingEvents;

// A DNS query for example.com A, id 0x1234 (RFC 1035 4.1), 29 bytes.
const Packet dns_query =
    hex("12 34 01 00 00 01 00 00 00 00 00 00"
        "07 65 78 61 6d 70 6c 65 03 63 6f 6d 00"  // example.com
        "00 01 00 01");                           // A, IN

class Dissect {
 public:
  void packet(const Packet& bytes, LinkType link_type = LinkType::ethernet,
              std::uint32_t original_length = 0, bool interface_known = true) {
    ++number;
    PacketRecord record;
    record.timestamp_ns = number * 1'000'000;
    record.original_length =
        original_length == 0 ? static_cast<std::uint32_t>(bytes.size()) : original_length;
    record.link_type = link_type;
    record.interface_known = interface_known;
    record.data = bytes;
    dissector.dissect(record, PacketContext{number, record.timestamp_ns}, events);
  }

  PacketDissector dissector;
  RecordingEvents events;
  std::uint64_t number = 0;
};

TEST(PacketDissector, DeliversUdpDnsFromOrToPort53) {
  Dissect d;
  d.packet(build::ethernet(0x0800, build::ipv4(17, build::udp(49152, 53, dns_query))));
  d.packet(build::ethernet(0x86dd, build::ipv6(17, build::udp(53, 49152, dns_query))));
  d.packet(build::ethernet(0x0800, build::ipv4(17, build::udp(49152, 5353, dns_query))));
  ASSERT_EQ(d.events.messages.size(), 2u);
  EXPECT_EQ(d.events.messages[0].bytes, dns_query);
  EXPECT_EQ(d.events.messages[0].transport, decode::DnsTransport::udp);
  EXPECT_FALSE(d.events.messages[0].cut);
  EXPECT_EQ(d.events.messages[1].packet_number, 2u);
  EXPECT_TRUE(d.events.drops.empty());
}

TEST(PacketDissector, MarksUdpDnsCutByTheSnapLength) {
  Dissect d;
  const Packet whole = build::ethernet(0x0800, build::ipv4(17, build::udp(49152, 53, dns_query)));
  const Packet cut(whole.begin(), whole.end() - 10);
  d.packet(cut, LinkType::ethernet, static_cast<std::uint32_t>(whole.size()));
  ASSERT_EQ(d.events.messages.size(), 1u);
  EXPECT_TRUE(d.events.messages[0].cut);
  EXPECT_EQ(d.events.messages[0].bytes.size(), dns_query.size() - 10);
}

TEST(PacketDissector, ReportsEveryTcpSegmentHeader) {
  Dissect d;
  d.packet(build::ethernet(0x0800, build::ipv4(6, build::tcp(42588, 80, 1, tcp_flag::syn, {}))));
  d.packet(build::ethernet(
      0x86dd, build::ipv6(6, build::tcp(42589, 80, 1, tcp_flag::syn | tcp_flag::ack, {}))));
  ASSERT_EQ(d.events.segments.size(), 2u);
  const auto& first = d.events.segments[0].header;
  EXPECT_EQ(first.source.to_string(), "192.0.2.1");
  EXPECT_EQ(first.destination.to_string(), "198.51.100.53");
  EXPECT_EQ(first.source_port, 42588);
  EXPECT_EQ(first.destination_port, 80);
  EXPECT_EQ(first.flags, tcp_flag::syn);
  EXPECT_EQ(d.events.segments[1].header.destination.to_string(), "2001:db8::53");
  EXPECT_TRUE(d.events.messages.empty());
}

TEST(PacketDissector, ReadsDnsOverTcpThroughTheStream) {
  Dissect d;
  const auto segment = [&](std::uint32_t seq, std::uint8_t flags, const Packet& data) {
    d.packet(build::ethernet(0x0800, build::ipv4(6, build::tcp(49152, 53, seq, flags, data))));
  };
  segment(100, tcp_flag::syn, {});
  const Packet frame = build::dns_tcp_frame(dns_query);
  segment(101, tcp_flag::ack, Packet(frame.begin(), frame.begin() + 10));
  segment(111, tcp_flag::ack | tcp_flag::psh, Packet(frame.begin() + 10, frame.end()));
  ASSERT_EQ(d.events.messages.size(), 1u);
  EXPECT_EQ(d.events.messages[0].bytes, dns_query);
  EXPECT_EQ(d.events.messages[0].transport, decode::DnsTransport::tcp);
  EXPECT_EQ(d.events.messages[0].packet_number, 3u);
  EXPECT_EQ(d.events.segments.size(), 3u);
}

TEST(PacketDissector, AnalyzesAFragmentedDatagramWithTheLastPiece) {
  Dissect d;
  const Packet udp = build::udp(49152, 53, dns_query);  // 37 bytes
  const Packet first(udp.begin(), udp.begin() + 16);
  const Packet second(udp.begin() + 16, udp.begin() + 32);
  const Packet last(udp.begin() + 32, udp.end());
  d.packet(build::ethernet(0x0800, build::ipv4(17, second, 7, 0x2000 | 2)));
  d.packet(build::ethernet(0x0800, build::ipv4(17, first, 7, 0x2000)));
  EXPECT_TRUE(d.events.messages.empty());
  d.packet(build::ethernet(0x0800, build::ipv4(17, last, 7, 4)));
  ASSERT_EQ(d.events.messages.size(), 1u);
  EXPECT_EQ(d.events.messages[0].bytes, dns_query);
  EXPECT_EQ(d.events.messages[0].packet_number, 3u);
  EXPECT_TRUE(d.events.drops.empty());
  EXPECT_EQ(d.dissector.counters().fragments.datagrams_completed, 1u);
}

TEST(PacketDissector, ReassemblesIpv6FragmentsAndWalksTheHeadersAfterTheFragmentHeader) {
  Dissect d;
  // Fragmentable part: destination options (8 bytes, next UDP) then the UDP datagram.
  const Packet part = concat(hex("11 00 01 04 00 00 00 00"), build::udp(49152, 53, dns_query));
  const Packet first(part.begin(), part.begin() + 24);
  const Packet rest(part.begin() + 24, part.end());
  // Hop-by-hop before the fragment header is per-fragment (unfragmentable part).
  const auto fragment = [](std::uint32_t offset, bool more, const Packet& bytes) {
    return build::ipv6(0, concat(hex("2c 00 01 04 00 00 00 00"),
                                 build::ipv6_fragment(60, offset, more, 0xfeed, bytes)));
  };
  d.packet(build::ethernet(0x86dd, fragment(24, false, rest)));
  d.packet(build::ethernet(0x86dd, fragment(0, true, first)));
  ASSERT_EQ(d.events.messages.size(), 1u);
  EXPECT_EQ(d.events.messages[0].bytes, dns_query);
  EXPECT_TRUE(d.events.drops.empty());
}

TEST(PacketDissector, ReportsTheSynOfAFragmentedTcpSegment) {
  Dissect d;
  const Packet tcp = build::tcp(42588, 80, 1, tcp_flag::syn, {}, hex("02 04 05 b4 01 01 01 01"));
  d.packet(
      build::ethernet(0x0800, build::ipv4(6, Packet(tcp.begin(), tcp.begin() + 8), 9, 0x2000)));
  EXPECT_TRUE(d.events.segments.empty());
  d.packet(build::ethernet(0x0800, build::ipv4(6, Packet(tcp.begin() + 8, tcp.end()), 9, 1)));
  ASSERT_EQ(d.events.segments.size(), 1u);
  EXPECT_EQ(d.events.segments[0].packet_number, 2u);
  EXPECT_EQ(d.events.segments[0].header.flags, tcp_flag::syn);
}

TEST(PacketDissector, FragmentCutByTheSnapLengthIsTruncated) {
  Dissect d;
  const Packet whole = build::ethernet(0x0800, build::ipv4(17, Packet(32, 0), 7, 0x2000));
  d.packet(Packet(whole.begin(), whole.end() - 4), LinkType::ethernet,
           static_cast<std::uint32_t>(whole.size()));
  const Packet whole6 =
      build::ethernet(0x86dd, build::ipv6(44, build::ipv6_fragment(17, 0, true, 1, Packet(32, 0))));
  d.packet(Packet(whole6.begin(), whole6.end() - 4), LinkType::ethernet,
           static_cast<std::uint32_t>(whole6.size()));
  ASSERT_EQ(d.events.drops.size(), 2u);
  EXPECT_EQ(d.events.drops[0].reason, Drop::ipv4_truncated);
  EXPECT_EQ(d.events.drops[1].reason, Drop::ipv6_truncated);
}

TEST(PacketDissector, CountsAPacketFromAnUnknownInterface) {
  Dissect d;
  d.packet(build::ethernet(0x0800, build::ipv4(17, build::udp(49152, 53, dns_query))),
           LinkType::ethernet, 0, false);
  ASSERT_EQ(d.events.drops.size(), 1u);
  EXPECT_EQ(d.events.drops[0].reason, Drop::capture_unknown_interface);
  EXPECT_TRUE(d.events.messages.empty());
}

TEST(PacketDissector, CountsEachUndecodablePacketOnce) {
  Dissect d;
  d.packet(build::ethernet(0x0806, hex("00 01 08 00 06 04 00 01")));             // ARP
  d.packet(build::ethernet(0x0800, build::ipv4(17, build::udp(1, 53, {}, 7))));  // UDP length
  d.packet(build::ethernet(0x0800, build::ipv4(6, hex("00 35 c0 00 00 00 00 00 00 00 00 00"
                                                      "40 02 ff ff 00 00 00 00"))));  // offset 4
  d.packet(hex("00 01"), static_cast<LinkType>(147));                                 // user DLT
  ASSERT_EQ(d.events.drops.size(), 4u);
  EXPECT_EQ(d.events.drops[0].reason, Drop::ethertype_unsupported);
  EXPECT_EQ(d.events.drops[1].reason, Drop::udp_bad_length);
  EXPECT_EQ(d.events.drops[2].reason, Drop::tcp_bad_header_length);
  EXPECT_EQ(d.events.drops[3].reason, Drop::link_type_unsupported);
  for (std::size_t i = 0; i < d.events.drops.size(); ++i) {
    EXPECT_EQ(d.events.drops[i].packet_number, i + 1);
  }
}

TEST(PacketDissector, DoesNotLookInsideTunnels) {
  Dissect d;
  // IP-in-IP (protocol 4) carrying a DNS query, and GRE (47).
  const Packet inner = build::ipv4(17, build::udp(49152, 53, dns_query));
  d.packet(build::ethernet(0x0800, build::ipv4(4, inner)));
  d.packet(build::ethernet(0x0800, build::ipv4(47, concat(hex("00 00 08 00"), inner))));
  EXPECT_TRUE(d.events.messages.empty());
  EXPECT_TRUE(d.events.drops.empty());
}

TEST(PacketDissector, FinishGivesUpOnWhatIsStillPending) {
  Dissect d;
  d.packet(build::ethernet(0x0800, build::ipv4(17, Packet(16, 0), 7, 0x2000)));
  d.packet(build::ethernet(
      0x0800, build::ipv4(6, build::tcp(49152, 53, 5, tcp_flag::ack, hex("00 40 01")))));
  d.dissector.finish(PacketContext{d.number, 0}, d.events);
  EXPECT_EQ(d.events.counts[Drop::fragment_expired], 1u);
  EXPECT_EQ(d.events.counts[Drop::tcp_stream_gap], 1u);
}

TEST(PacketDissector, CountsAtMostOneDropForRandomFrames) {
  // Random bytes behind valid-looking starts of each link type: nothing crashes and no packet
  // is counted twice (run under the sanitizers, nothing is read out of bounds).
  std::mt19937 random(101);
  const std::vector<std::pair<LinkType, Packet>> starts{
      {LinkType::ethernet, hex("020000000002 020000000001 0800 45")},
      {LinkType::ethernet, hex("020000000002 020000000001 8100 0001 86dd 60")},
      {LinkType::raw, hex("46")},
      {LinkType::raw, hex("60 00 00 00 00 20 2c")},
      {LinkType::linux_sll2, hex("0800 0000 00000002 0001 00 06 0200000000010000 45")},
      {LinkType::null, hex("1e 00 00 00 60")},
  };
  Dissect d;
  Packet frame;
  for (int i = 0; i < 20000; ++i) {
    const auto& [link_type, start] = starts[random() % starts.size()];
    frame = start;
    const std::size_t extra = random() % 120;
    for (std::size_t k = 0; k < extra; ++k) frame.push_back(static_cast<std::uint8_t>(random()));
    const std::size_t drops_before = d.events.drops.size();
    d.packet(frame, link_type, random() % 8 == 0 ? 2000 : 0);
    std::size_t own = 0;
    for (std::size_t k = drops_before; k < d.events.drops.size(); ++k) {
      const Drop reason = d.events.drops[k].reason;
      if (reason != Drop::fragment_expired && reason != Drop::fragment_evicted &&
          reason != Drop::tcp_stream_gap && reason != Drop::tcp_stream_evicted) {
        ++own;
      }
    }
    ASSERT_LE(own, 1u);
  }
}

// End to end over real captures, read through the capture reader. The expected counts of DNS
// messages and TCP segments are tshark's (`tshark -r F -Y dns -T fields -e dns.id`), except:
// - dnso1tcp-midmiss lacks one segment in each direction, acknowledged by the other side:
//   two gaps, each stream going on at its next segment.
// - null_loopback's third packet has "0f 00 08 00" as its BSD family, which is no family;
//   Wireshark guesses an EtherType from it, tcpdump and this project do not.
struct CorpusCase {
  const char* file;
  std::size_t messages;
  std::size_t tcp_segments;
  std::size_t drops;
};

// Names the case by its file, so test listings do not show the parameter's raw bytes.
void PrintTo(const CorpusCase& c, std::ostream* out) { *out << c.file; }

class PacketDissectorCorpus : public ::testing::TestWithParam<CorpusCase> {};

TEST_P(PacketDissectorCorpus, FindsWhatTsharkFinds) {
  const CorpusCase& c = GetParam();
  const std::string path = std::string(PA_SHARED_DIR) + "/corpus/real/" + c.file;
  const auto reader = capture::CaptureReader::open(path);
  PacketDissector dissector;
  RecordingEvents events;
  PacketRecord record;
  std::uint64_t number = 0;
  while (reader->next(record)) {
    ++number;
    dissector.dissect(record, PacketContext{number, record.timestamp_ns}, events);
  }
  dissector.finish(PacketContext{number, 0}, events);
  EXPECT_EQ(events.messages.size(), c.messages);
  EXPECT_EQ(events.segments.size(), c.tcp_segments);
  std::string drops;
  for (const auto& drop : events.drops) {
    drops +=
        std::to_string(drop.packet_number) + ":" + std::string(base::to_string(drop.reason)) + " ";
  }
  EXPECT_EQ(events.drops.size(), c.drops) << drops;
}

INSTANTIATE_TEST_SUITE_P(
    RealCaptures, PacketDissectorCorpus,
    ::testing::Values(CorpusCase{"dnscap__frags.pcap", 82, 0, 0},
                      CorpusCase{"dnscollector__dnsdump_ip4_fragmented_query.pcap", 2, 0, 0},
                      CorpusCase{"dnscollector__dnsdump_ip6_fragmented_query.pcap", 1, 0, 0},
                      CorpusCase{"zeek__ipv4_fragmented-syn.pcap", 0, 1, 0},
                      CorpusCase{"dnscap__dnso1tcp.pcap", 82, 212, 0},
                      CorpusCase{"dnscap__dnsotcp-many1pkt.pcap", 4, 10, 0},
                      CorpusCase{"dnscap__dnsotcp-manyopkts.pcap", 3, 7, 0},
                      CorpusCase{"dnscap__dnso1tcp-midmiss.pcap", 6, 19, 2},
                      CorpusCase{"dnscap__1qtcpnosyn.pcap", 2, 8, 0},
                      CorpusCase{"dnscollector__dnsdump_tcp_fastopen.pcap", 8, 32, 0},
                      CorpusCase{"zeek__vlan-qinqinq.pcap", 0, 14, 0},
                      CorpusCase{"dnscap__sll2.pcap", 2, 0, 0},
                      CorpusCase{"pcpp__null_loopback.pcap", 0, 1, 1},
                      CorpusCase{"pcpp__raw_ip.pcap", 6, 92, 0},
                      CorpusCase{"pcpp__four_ipv6_http_streams.pcap", 0, 81, 0},  // DLT_RAW 12
                      CorpusCase{"tcpdump__LINKTYPE_IPV4_invalid.pcap", 1, 0, 0}),
    [](const ::testing::TestParamInfo<CorpusCase>& info) {
      std::string name = info.param.file;
      for (char& c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return name;
    });

// The malformed captures of tcpdump's test suite: whatever they hold, dissection neither
// crashes nor reads out of bounds (the sanitizer build checks), and each undecodable packet
// is counted once at most.
TEST(PacketDissectorCorpus, SurvivesTheMalformedCaptures) {
  const std::filesystem::path folder =
      std::filesystem::path(PA_SHARED_DIR) / "corpus/robustness/tcpdump";
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    std::unique_ptr<capture::CaptureReader> reader;
    try {
      reader = capture::CaptureReader::open(entry.path().string());
    } catch (const std::exception&) {
      continue;  // not a capture at all: the reader's business, not this test's
    }
    ++files;
    PacketDissector dissector;
    RecordingEvents events;
    PacketRecord record;
    std::uint64_t number = 0;
    while (reader->next(record)) {
      ++number;
      const std::size_t drops_before = events.drops.size();
      dissector.dissect(record, PacketContext{number, record.timestamp_ns}, events);
      std::size_t own_drops = 0;
      for (std::size_t i = drops_before; i < events.drops.size(); ++i) {
        const Drop reason = events.drops[i].reason;
        // Expired, evicted and gap drops belong to earlier packets' datagrams and streams.
        if (reason != Drop::fragment_expired && reason != Drop::fragment_evicted &&
            reason != Drop::tcp_stream_gap && reason != Drop::tcp_stream_evicted) {
          ++own_drops;
        }
      }
      EXPECT_LE(own_drops, 1u) << entry.path() << " packet " << number;
    }
    dissector.finish(PacketContext{number, 0}, events);
  }
  EXPECT_GT(files, 100u);
}

// dissect_or_defer, the pieces' path (-j, MPI), defers exactly the records route_record says
// need reassembly, and tells nothing of them; what it does not defer it dissects as dissect
// does. Over every capture of the real corpus and of tcpdump's malformed ones.
TEST(PacketDissectorCorpus, DefersExactlyWhatRouteRecordSendsToReassembly) {
  std::size_t files = 0;
  std::size_t deferred = 0;
  for (const char* folder : {"corpus/real", "corpus/robustness/tcpdump"}) {
    for (const auto& entry :
         std::filesystem::directory_iterator(std::filesystem::path(PA_SHARED_DIR) / folder)) {
      std::unique_ptr<capture::CaptureReader> reader;
      try {
        reader = capture::CaptureReader::open(entry.path().string());
      } catch (const std::exception&) {
        continue;
      }
      ++files;
      PacketDissector deferring;
      PacketDissector dissecting;
      RecordingEvents deferring_events;
      RecordingEvents dissecting_events;
      PacketRecord record;
      std::uint64_t number = 0;
      while (reader->next(record)) {
        ++number;
        const PacketContext context{number, record.timestamp_ns};
        const std::size_t told_before = deferring_events.drops.size() +
                                        deferring_events.segments.size() +
                                        deferring_events.messages.size();
        const bool dissected = deferring.dissect_or_defer(record, context, deferring_events);
        const bool needs_reassembly = route_record(record).needs_reassembly;
        ASSERT_EQ(dissected, !needs_reassembly) << entry.path() << " packet " << number;
        if (!dissected) {
          ++deferred;
          EXPECT_EQ(deferring_events.drops.size() + deferring_events.segments.size() +
                        deferring_events.messages.size(),
                    told_before)
              << entry.path() << " packet " << number;
        } else {
          dissecting.dissect(record, context, dissecting_events);
        }
      }
      EXPECT_EQ(deferring_events.segments.size(), dissecting_events.segments.size())
          << entry.path();
      EXPECT_EQ(deferring_events.messages.size(), dissecting_events.messages.size())
          << entry.path();
      EXPECT_EQ(deferring_events.drops.size(), dissecting_events.drops.size()) << entry.path();
    }
  }
  EXPECT_GT(files, 150u);
  EXPECT_GT(deferred, 100u);
}

}  // namespace
}  // namespace pa::reassembly
