#include "reassembly/record_router.hpp"

#include <gtest/gtest.h>

#include "decode/packet_builder.hpp"

namespace pa::reassembly {
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

TEST(RouteRecord, SendsOnlyTheHeadersOfTrafficTheAnalysisReadsNoFurther) {
  const Packet web =
      build::ethernet(0x0800, build::ipv4(tcp_protocol, build::tcp(40000, 80, 1, 0x02, payload)));
  const Route tcp = route_record(record_of(web));
  EXPECT_EQ(tcp.read_bytes, headers_before_transport + 20);
  EXPECT_FALSE(tcp.needs_reassembly);
  const Packet other =
      build::ethernet(0x0800, build::ipv4(udp_protocol, build::udp(5000, 5001, payload)));
  EXPECT_EQ(route_record(record_of(other)).read_bytes, headers_before_transport + 8);
}

TEST(RouteRecord, SendsDnsOverUdpWholeToAConsumer) {
  const Packet dns =
      build::ethernet(0x0800, build::ipv4(udp_protocol, build::udp(5000, 53, payload)));
  const Route route = route_record(record_of(dns));
  EXPECT_EQ(route.read_bytes, dns.size());
  EXPECT_FALSE(route.needs_reassembly);
}

TEST(RouteRecord, LeavesFragmentsAndDnsOverTcpToTheProvidersReassembly) {
  const Packet dns_tcp =
      build::ethernet(0x0800, build::ipv4(tcp_protocol, build::tcp(40000, 53, 1, 0x18, payload)));
  EXPECT_TRUE(route_record(record_of(dns_tcp)).needs_reassembly);
  const Packet fragment4 = build::ethernet(
      0x0800, build::ipv4(udp_protocol, build::udp(5000, 5001, payload), 7, 0x2000));
  EXPECT_TRUE(route_record(record_of(fragment4)).needs_reassembly);
  const Packet fragment6 = build::ethernet(
      0x86dd, build::ipv6(fragment_header, build::ipv6_fragment(udp_protocol, 0, true, 7,
                                                                build::udp(1, 2, payload))));
  EXPECT_TRUE(route_record(record_of(fragment6)).needs_reassembly);
}

TEST(RouteRecord, SendsRecordsWithoutAnIpHeaderWhole) {
  const Packet garbage{1, 2, 3};
  const Route route = route_record(record_of(garbage));
  EXPECT_EQ(route.read_bytes, garbage.size());
  EXPECT_FALSE(route.needs_reassembly);
}

}  // namespace
}  // namespace pa::reassembly
