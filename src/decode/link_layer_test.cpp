#include "decode/link_layer.hpp"

#include <gtest/gtest.h>

#include "decode/packet_builder.hpp"

namespace pa::decode {
namespace {

using base::Drop;
using capture::LinkType;
using test::hex;
using test::Packet;

const Packet ip_bytes = hex("45 00 00 14");  // the start of an IPv4 header is enough here

TEST(LinkLayer, EthernetCarriesIpv4AndIpv6) {
  const Packet v4 = test::ethernet(0x0800, ip_bytes);
  const auto view = decode_link(LinkType::ethernet, v4);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->protocol, NetworkProtocol::ipv4);
  EXPECT_EQ(view->payload.size(), ip_bytes.size());

  const auto v6 = decode_link(LinkType::ethernet, test::ethernet(0x86dd, ip_bytes));
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->protocol, NetworkProtocol::ipv6);
}

TEST(LinkLayer, EthernetShorterThanItsHeaderIsTruncated) {
  const Packet frame = hex("02 00 00 00 00 02  02 00 00 00 00 01  08");
  EXPECT_EQ(decode_link(LinkType::ethernet, frame).drop(), Drop::ethernet_truncated);
}

TEST(LinkLayer, ArpIsNotIp) {
  EXPECT_EQ(decode_link(LinkType::ethernet, test::ethernet(0x0806, ip_bytes)).drop(),
            Drop::ethertype_unsupported);
}

TEST(LinkLayer, FollowsThreeStackedVlanTags) {
  // 802.1ad service tag, 0x9100 legacy tag, 802.1Q customer tag, then IPv4.
  const Packet tags =
      hex("00 64 91 00"    // TCI vlan 100, next: 0x9100
          "00 c8 81 00"    // TCI vlan 200, next: 802.1Q
          "01 2c 08 00");  // TCI vlan 300, next: IPv4
  const auto view =
      decode_link(LinkType::ethernet, test::ethernet(0x88a8, test::concat(tags, ip_bytes)));
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->protocol, NetworkProtocol::ipv4);
  EXPECT_EQ(view->payload.size(), ip_bytes.size());
}

TEST(LinkLayer, RejectsMoreVlanTagsThanTheBound) {
  Packet tags;
  for (int i = 0; i <= max_vlan_tags; ++i) tags = test::concat(tags, hex("00 01 81 00"));
  tags = test::concat(tags, hex("00 01 08 00"));
  EXPECT_EQ(decode_link(LinkType::ethernet, test::ethernet(0x8100, tags)).drop(),
            Drop::vlan_too_many_tags);
}

TEST(LinkLayer, VlanTagCutShortIsTruncated) {
  EXPECT_EQ(decode_link(LinkType::ethernet, test::ethernet(0x8100, hex("00 01 08"))).drop(),
            Drop::vlan_truncated);
}

TEST(LinkLayer, Ieee8023FramesAreNotEthernetIiEvenWithSnapCarryingIp) {
  // 802.3 length 0x0040, LLC AA AA 03, OUI 00 00 00, EtherType IPv4: valid, but not the
  // Ethernet II framing the analysis reads.
  EXPECT_EQ(
      decode_link(LinkType::ethernet,
                  test::ethernet(0x0040, test::concat(hex("aa aa 03 00 00 00 08 00"), ip_bytes)))
          .drop(),
      Drop::ethertype_unsupported);
  // Spanning tree BPDU: LLC 42 42 03.
  EXPECT_EQ(
      decode_link(LinkType::ethernet, test::ethernet(0x0026, hex("42 42 03 00 00 00 00"))).drop(),
      Drop::ethertype_unsupported);
}

TEST(LinkLayer, LinuxSllReadsTheProtocolAtOffset14) {
  const Packet frame = test::concat(hex("0000 0001 0006 020000000001 0000 0800"), ip_bytes);
  const auto view = decode_link(LinkType::linux_sll, frame);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->protocol, NetworkProtocol::ipv4);
  EXPECT_EQ(view->payload.size(), ip_bytes.size());
  EXPECT_EQ(decode_link(LinkType::linux_sll, hex("0000 0001 0006 020000000001 0000 08")).drop(),
            Drop::sll_truncated);
  // Linux cooked ARP.
  EXPECT_EQ(decode_link(LinkType::linux_sll, hex("0000 0001 0006 020000000001 0000 0806")).drop(),
            Drop::ethertype_unsupported);
}

TEST(LinkLayer, LinuxSll2ReadsTheProtocolFirst) {
  // protocol 86dd, reserved, ifindex 2, ARPHRD_ETHER, packet type 0, address length 6.
  const Packet frame =
      test::concat(hex("86dd 0000 00000002 0001 00 06 0200000000010000"), ip_bytes);
  const auto view = decode_link(LinkType::linux_sll2, frame);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->protocol, NetworkProtocol::ipv6);
  EXPECT_EQ(view->payload.size(), ip_bytes.size());
  EXPECT_EQ(decode_link(LinkType::linux_sll2, hex("86dd 0000 00000002 0001 00 06 02")).drop(),
            Drop::sll2_truncated);
}

TEST(LinkLayer, RawIpIsToldApartByTheVersionNibble) {
  const auto v4 = decode_link(LinkType::raw, ip_bytes);
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->protocol, NetworkProtocol::ipv4);
  const auto v6 = decode_link(LinkType::raw, hex("60 00 00 00"));
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->protocol, NetworkProtocol::ipv6);
  EXPECT_EQ(decode_link(LinkType::raw, hex("50 00")).drop(), Drop::ipv4_bad_version);
  EXPECT_EQ(decode_link(LinkType::raw, Packet{}).drop(), Drop::ipv4_truncated);
}

TEST(LinkLayer, TakesThePlatformDltRawValuesAsRawIp) {
  for (const std::uint32_t value : {12u, 14u}) {
    const auto view = decode_link(static_cast<LinkType>(value), hex("60 00 00 00"));
    ASSERT_TRUE(view.ok()) << value;
    EXPECT_EQ(view->protocol, NetworkProtocol::ipv6);
  }
}

TEST(LinkLayer, Ipv4AndIpv6LinkTypesFollowTheVersionNibble) {
  const auto v4 = decode_link(LinkType::ipv4, ip_bytes);
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->protocol, NetworkProtocol::ipv4);
  EXPECT_EQ(v4->payload.size(), ip_bytes.size());
  // tcpdump's LINKTYPE_IPV4_invalid.pcap: an IPv6 packet in a LINKTYPE_IPV4 file.
  const auto v6 = decode_link(LinkType::ipv4, hex("60 00 00 00"));
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->protocol, NetworkProtocol::ipv6);
  const auto also_v6 = decode_link(LinkType::ipv6, hex("60 00 00 00"));
  ASSERT_TRUE(also_v6.ok());
  EXPECT_EQ(also_v6->protocol, NetworkProtocol::ipv6);
}

TEST(LinkLayer, BsdNullAcceptsEitherByteOrder) {
  const auto little = decode_link(LinkType::null, test::concat(hex("02 00 00 00"), ip_bytes));
  ASSERT_TRUE(little.ok());
  EXPECT_EQ(little->protocol, NetworkProtocol::ipv4);
  EXPECT_EQ(little->payload.size(), ip_bytes.size());
  const auto big = decode_link(LinkType::null, test::concat(hex("00 00 00 1e"), ip_bytes));
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->protocol, NetworkProtocol::ipv6);  // 30: macOS AF_INET6
  for (const char* family : {"18 00 00 00", "1c 00 00 00"}) {
    const auto v6 = decode_link(LinkType::null, hex(family));
    ASSERT_TRUE(v6.ok()) << family;
    EXPECT_EQ(v6->protocol, NetworkProtocol::ipv6);
  }
}

TEST(LinkLayer, BsdNullRejectsOtherFamiliesAndShortHeaders) {
  EXPECT_EQ(decode_link(LinkType::null, hex("07 00 00 00")).drop(), Drop::null_family_unsupported);
  EXPECT_EQ(decode_link(LinkType::null, hex("02 00 00")).drop(), Drop::null_truncated);
}

TEST(LinkLayer, BsdLoopIsInNetworkOrder) {
  const auto view = decode_link(LinkType::loop, test::concat(hex("00 00 00 18"), ip_bytes));
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->protocol, NetworkProtocol::ipv6);
  // The same bytes in little-endian order are a different family for LOOP.
  EXPECT_EQ(decode_link(LinkType::loop, hex("02 00 00 00")).drop(), Drop::null_family_unsupported);
  EXPECT_EQ(decode_link(LinkType::loop, hex("00")).drop(), Drop::null_truncated);
}

TEST(LinkLayer, OtherLinkTypesAreUnsupported) {
  // LINKTYPE_IEEE802_11 (105).
  EXPECT_EQ(decode_link(static_cast<LinkType>(105), ip_bytes).drop(), Drop::link_type_unsupported);
}

}  // namespace
}  // namespace pa::decode
