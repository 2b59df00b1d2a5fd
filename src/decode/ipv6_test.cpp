#include "decode/ipv6.hpp"

#include <gtest/gtest.h>

#include "decode/packet_builder.hpp"

namespace pa::decode {
namespace {

using base::Drop;
using test::hex;
using test::Packet;

const Packet udp_bytes = hex("c0 00 00 35 00 08 00 00");  // UDP 49152 -> 53, no payload

TEST(Ipv6, DecodesAddressesAndUpperLayer) {
  const auto view = decode_ipv6(test::ipv6(17, udp_bytes), false);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->source.to_string(), "2001:db8::1");
  EXPECT_EQ(view->destination.to_string(), "2001:db8::53");
  EXPECT_EQ(view->protocol, 17);
  EXPECT_EQ(view->payload.size(), udp_bytes.size());
  EXPECT_FALSE(view->fragment.is_fragment);
}

TEST(Ipv6, WalksEachExtensionHeader) {
  // hop-by-hop (PadN) -> routing (type 0 segments left 0) -> destination options (PadN)
  //   -> AH (payload length 4: 24 bytes) -> UDP.
  const Packet headers =
      hex("2b 00 01 04 00 00 00 00"  // hop-by-hop: next 43, length 8
          "3c 00 00 00 00 00 00 00"  // routing: next 60, length 8
          "33 00 01 04 00 00 00 00"  // destination options: next 51, length 8
          "11 04 00 00 00 00 01 00 00 00 00 01"
          "00 00 00 00 00 00 00 00 00 00 00 00");  // AH: next 17, (4 + 2) * 4 = 24 bytes
  const Packet packet = test::ipv6(0, test::concat(headers, udp_bytes));
  const auto view = decode_ipv6(packet, false);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->protocol, 17);
  EXPECT_EQ(view->extension_count, 4);
  ASSERT_EQ(view->payload.size(), udp_bytes.size());
  EXPECT_EQ(view->payload[0], 0xc0);
}

TEST(Ipv6, FragmentHeaderEndsTheWalkWithFragmentInfo) {
  const Packet packet = test::ipv6(
      44, test::ipv6_fragment(17, 1232, true, 0xabcdef01, hex("01 02 03 04 05 06 07 08")));
  const auto view = decode_ipv6(packet, false);
  ASSERT_TRUE(view.ok());
  EXPECT_TRUE(view->fragment.is_fragment);
  EXPECT_TRUE(view->fragment.more_fragments);
  EXPECT_EQ(view->fragment.offset_bytes, 1232u);
  EXPECT_EQ(view->fragment.identification, 0xabcdef01u);
  EXPECT_EQ(view->protocol, 17);
  EXPECT_EQ(view->payload.size(), 8u);
}

TEST(Ipv6, AtomicFragmentIsAWholePacket) {
  const auto view =
      decode_ipv6(test::ipv6(44, test::ipv6_fragment(17, 0, false, 7, udp_bytes)), false);
  ASSERT_TRUE(view.ok());
  EXPECT_FALSE(view->fragment.is_fragment);
  EXPECT_EQ(view->protocol, 17);
  EXPECT_EQ(view->payload.size(), udp_bytes.size());
}

TEST(Ipv6, EspAndNoNextHeaderEndTheWalk) {
  const auto esp = decode_ipv6(test::ipv6(50, hex("00 00 01 00 00 00 00 01")), false);
  ASSERT_TRUE(esp.ok());
  EXPECT_EQ(esp->protocol, 50);
  const auto none = decode_ipv6(test::ipv6(59, {}), false);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->protocol, 59);
}

TEST(Ipv6, RejectsOtherVersions) {
  Packet packet = test::ipv6(17, udp_bytes);
  packet[0] = 0x40;
  EXPECT_EQ(decode_ipv6(packet, false).drop(), Drop::ipv6_bad_version);
}

TEST(Ipv6, HeaderCutShortIsTruncated) {
  const Packet packet = test::ipv6(17, udp_bytes);
  EXPECT_EQ(decode_ipv6(base::Bytes(packet).first(39), true).drop(), Drop::ipv6_truncated);
}

TEST(Ipv6, PayloadLengthPastTheBytesIsTruncatedUnlessTheSnapLengthCutIt) {
  const Packet packet = test::ipv6(17, udp_bytes);
  const base::Bytes cut = base::Bytes(packet).first(packet.size() - 2);
  EXPECT_EQ(decode_ipv6(cut, false).drop(), Drop::ipv6_truncated);
  const auto view = decode_ipv6(cut, true);
  ASSERT_TRUE(view.ok());
  EXPECT_TRUE(view->payload_cut);
  EXPECT_EQ(view->payload.size(), udp_bytes.size() - 2);
}

TEST(Ipv6, ExtensionHeaderPastThePayloadIsTruncated) {
  // Destination options claiming 16 bytes in an 8-byte payload.
  EXPECT_EQ(decode_ipv6(test::ipv6(60, hex("11 01 00 00 00 00 00 00")), false).drop(),
            Drop::ipv6_extension_truncated);
  EXPECT_EQ(decode_ipv6(test::ipv6(44, hex("11 00 00 01")), false).drop(),
            Drop::ipv6_extension_truncated);
}

TEST(Ipv6, RejectsMoreExtensionHeadersThanTheBound) {
  Packet headers;
  for (int i = 0; i <= max_ipv6_extensions; ++i) {
    headers = test::concat(headers, hex("3c 00 01 04 00 00 00 00"));  // destination options
  }
  EXPECT_EQ(decode_ipv6(test::ipv6(60, headers), false).drop(), Drop::ipv6_too_many_extensions);
}

TEST(Ipv6, ZeroPayloadLengthNeedsAJumboPayloadOption) {
  // Hop-by-hop with PadN only: a zero payload length then means nothing.
  const Packet no_jumbo = test::ipv6(0, test::concat(hex("11 00 01 04 00 00 00 00"), udp_bytes),
                                     test::client6, test::server6, 0);
  EXPECT_EQ(decode_ipv6(no_jumbo, false).drop(), Drop::ipv6_bad_payload_length);

  // Jumbo Payload option (RFC 2675) of 70,000 bytes; the capture kept only the start.
  const Packet jumbo = test::ipv6(0, test::concat(hex("11 00 c2 04 00 01 11 70"), udp_bytes),
                                  test::client6, test::server6, 0);
  EXPECT_EQ(decode_ipv6(jumbo, false).drop(), Drop::ipv6_truncated);
  const auto view = decode_ipv6(jumbo, true);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->protocol, 17);
  EXPECT_TRUE(view->payload_cut);
}

}  // namespace
}  // namespace pa::decode
