#include "stream/record_router.hpp"

#include <gtest/gtest.h>

#include "decode/packet_builder.hpp"

namespace pa::stream {
namespace {

using decode::test::Packet;
namespace build = decode::test;

constexpr std::uint8_t tcp_protocol = 6;
constexpr std::uint8_t udp_protocol = 17;
constexpr std::uint8_t fragment_header = 44;
constexpr std::size_t headers_before_transport = 14 + 20;  // Ethernet, IPv4 without options

capture::PacketRecord record_of(const Packet& frame) {
  capture::PacketRecord record;
  record.original_length = static_cast<std::uint32_t>(frame.size());
  record.data = frame;
  return record;
}

const Packet payload(100, 0xab);

TEST(RecordRouter, SendsOnlyTheHeadersOfTrafficTheAnalysisReadsNoFurther) {
  RecordRouter router(7);
  const Packet web =
      build::ethernet(0x0800, build::ipv4(tcp_protocol, build::tcp(40000, 80, 1, 0x02, payload)));
  const Route tcp = router.route(record_of(web));
  EXPECT_EQ(tcp.read_bytes, headers_before_transport + 20);
  EXPECT_FALSE(tcp.needs_reassembly);
  const Packet other =
      build::ethernet(0x0800, build::ipv4(udp_protocol, build::udp(5000, 5001, payload)));
  EXPECT_EQ(router.route(record_of(other)).read_bytes, headers_before_transport + 8);
}

TEST(RecordRouter, SendsDnsOverUdpWholeToItsLane) {
  RecordRouter router(7);
  const Packet dns =
      build::ethernet(0x0800, build::ipv4(udp_protocol, build::udp(5000, 53, payload)));
  const Route route = router.route(record_of(dns));
  EXPECT_EQ(route.read_bytes, dns.size());
  EXPECT_FALSE(route.needs_reassembly);
}

TEST(RecordRouter, LeavesFragmentsAndDnsOverTcpToTheProvidersReassembly) {
  RecordRouter router(7);
  const Packet dns_tcp =
      build::ethernet(0x0800, build::ipv4(tcp_protocol, build::tcp(40000, 53, 1, 0x18, payload)));
  EXPECT_TRUE(router.route(record_of(dns_tcp)).needs_reassembly);
  const Packet fragment4 = build::ethernet(
      0x0800, build::ipv4(udp_protocol, build::udp(5000, 5001, payload), 7, 0x2000));
  EXPECT_TRUE(router.route(record_of(fragment4)).needs_reassembly);
  const Packet fragment6 = build::ethernet(
      0x86dd, build::ipv6(fragment_header, build::ipv6_fragment(udp_protocol, 0, true, 7,
                                                                build::udp(1, 2, payload))));
  EXPECT_TRUE(router.route(record_of(fragment6)).needs_reassembly);
}

TEST(RecordRouter, PutsBothDirectionsOfAnAddressPairInOneLane) {
  RecordRouter router(64);
  for (std::uint8_t i = 1; i < 50; ++i) {
    const build::V4 a{10, 0, 0, i};
    const build::V4 b{10, 0, 1, static_cast<std::uint8_t>(i * 3)};
    const Packet there = build::ethernet(
        0x0800, build::ipv4(tcp_protocol, build::tcp(40000, 80, 1, 0x02, {}), 1, 0, {}, a, b));
    const Packet back = build::ethernet(
        0x0800, build::ipv4(tcp_protocol, build::tcp(80, 40000, 1, 0x12, {}), 1, 0, {}, b, a));
    EXPECT_EQ(router.route(record_of(there)).lane, router.route(record_of(back)).lane);
  }
}

TEST(RecordRouter, HandsRecordsWithoutAnIpHeaderRoundTheLanes) {
  RecordRouter router(3);
  const Packet garbage{1, 2, 3};
  const auto first = router.route(record_of(garbage)).lane;
  const auto second = router.route(record_of(garbage)).lane;
  const auto third = router.route(record_of(garbage)).lane;
  EXPECT_NE(first, second);
  EXPECT_NE(second, third);
  EXPECT_NE(first, third);
  EXPECT_EQ(router.route(record_of(garbage)).read_bytes, garbage.size());
}

}  // namespace
}  // namespace pa::stream
