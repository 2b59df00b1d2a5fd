#include "decode/ipv4.hpp"

#include <gtest/gtest.h>

#include "decode/packet_builder.hpp"

namespace pa::decode {
namespace {

using base::Drop;
using test::hex;
using test::Packet;

TEST(Ipv4, DecodesAddressesProtocolAndPayload) {
  const Packet packet = test::ipv4(17, hex("de ad be ef"));
  const auto view = decode_ipv4(packet, false);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->source.to_string(), "192.0.2.1");
  EXPECT_EQ(view->destination.to_string(), "198.51.100.53");
  EXPECT_EQ(view->protocol, 17);
  EXPECT_EQ(view->payload.size(), 4u);
  EXPECT_EQ(view->payload[0], 0xde);
  EXPECT_FALSE(view->payload_cut);
  EXPECT_FALSE(view->fragment.is_fragment);
}

TEST(Ipv4, SkipsOptions) {
  // Router Alert (RFC 2113) then End of Options padding: IHL 7.
  const Packet options = hex("94 04 00 00  00 00 00 00");
  const Packet packet = test::ipv4(6, hex("01 02 03"), 1, 0, options);
  const auto view = decode_ipv4(packet, false);
  ASSERT_TRUE(view.ok());
  ASSERT_EQ(view->payload.size(), 3u);
  EXPECT_EQ(view->payload[0], 0x01);
}

TEST(Ipv4, IgnoresEthernetPaddingAfterTheTotalLength) {
  const Packet packet = test::concat(test::ipv4(17, hex("aa bb")), hex("00 00 00 00 00 00"));
  const auto view = decode_ipv4(packet, false);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->payload.size(), 2u);
}

TEST(Ipv4, RejectsOtherVersions) {
  EXPECT_EQ(decode_ipv4(hex("65 00 00 14"), false).drop(), Drop::ipv4_bad_version);
}

TEST(Ipv4, RejectsHeaderLengthBelowFive) {
  Packet packet = test::ipv4(17, {});
  packet[0] = 0x44;
  EXPECT_EQ(decode_ipv4(packet, false).drop(), Drop::ipv4_bad_header_length);
}

TEST(Ipv4, RejectsTotalLengthShorterThanTheHeader) {
  const Packet packet =
      test::ipv4(17, hex("00 00 00 00"), 1, 0, {}, test::client4, test::server4, 19);
  EXPECT_EQ(decode_ipv4(packet, false).drop(), Drop::ipv4_bad_total_length);
}

TEST(Ipv4, HeaderCutShortIsTruncated) {
  const Packet packet = test::ipv4(17, {});
  EXPECT_EQ(decode_ipv4(base::Bytes(packet).first(19), true).drop(), Drop::ipv4_truncated);
  EXPECT_EQ(decode_ipv4(Packet{}, false).drop(), Drop::ipv4_truncated);
}

TEST(Ipv4, TotalLengthPastTheBytesIsTruncatedUnlessTheSnapLengthCutIt) {
  const Packet packet = test::ipv4(17, hex("01 02 03 04 05 06 07 08"));
  const base::Bytes cut = base::Bytes(packet).first(packet.size() - 3);
  EXPECT_EQ(decode_ipv4(cut, false).drop(), Drop::ipv4_truncated);
  const auto view = decode_ipv4(cut, true);
  ASSERT_TRUE(view.ok());
  EXPECT_TRUE(view->payload_cut);
  EXPECT_EQ(view->payload.size(), 5u);
}

TEST(Ipv4, ZeroTotalLengthFromSegmentationOffloadUsesTheCapturedBytes) {
  const Packet packet = test::ipv4(6, hex("01 02 03"), 1, 0, {}, test::client4, test::server4, 0);
  const auto view = decode_ipv4(packet, false);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->payload.size(), 3u);
}

TEST(Ipv4, ReadsFragmentFields) {
  const auto first =
      decode_ipv4(test::ipv4(17, hex("00 00 00 00 00 00 00 00"), 0x1234, 0x2000), false);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->fragment.is_fragment);
  EXPECT_TRUE(first->fragment.more_fragments);
  EXPECT_EQ(first->fragment.offset_bytes, 0u);
  EXPECT_EQ(first->fragment.identification, 0x1234u);

  const auto last = decode_ipv4(test::ipv4(17, hex("00"), 0x1234, 0x0003), false);
  ASSERT_TRUE(last.ok());
  EXPECT_TRUE(last->fragment.is_fragment);
  EXPECT_FALSE(last->fragment.more_fragments);
  EXPECT_EQ(last->fragment.offset_bytes, 24u);

  // DF alone is not a fragment.
  const auto whole = decode_ipv4(test::ipv4(17, hex("00"), 0x1234, 0x4000), false);
  ASSERT_TRUE(whole.ok());
  EXPECT_FALSE(whole->fragment.is_fragment);
}

}  // namespace
}  // namespace pa::decode
