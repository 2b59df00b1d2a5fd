#include "decode/udp.hpp"

#include <gtest/gtest.h>

#include "decode/packet_builder.hpp"

namespace pa::decode {
namespace {

using base::Drop;
using test::hex;
using test::Packet;

TEST(Udp, DecodesPortsAndPayload) {
  const auto view = decode_udp(test::udp(49152, 53, hex("12 34 01 00")), false);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->source_port, 49152);
  EXPECT_EQ(view->destination_port, 53);
  EXPECT_EQ(view->payload.size(), 4u);
  EXPECT_FALSE(view->payload_cut);
}

TEST(Udp, HeaderCutShortIsTruncated) {
  EXPECT_EQ(decode_udp(hex("c0 00 00 35 00 08 00"), true).drop(), Drop::udp_truncated);
}

TEST(Udp, RejectsLengthBelowTheHeaderAndZeroOutsideJumbograms) {
  EXPECT_EQ(decode_udp(test::udp(1, 53, {}, 7), false).drop(), Drop::udp_bad_length);
  EXPECT_EQ(decode_udp(test::udp(1, 53, hex("00"), 0), false).drop(), Drop::udp_bad_length);
}

TEST(Udp, ZeroLengthInAJumbogramTakesTheIpPayload) {
  const Packet big = test::udp(1, 53, Packet(70000, 0), 0);
  const auto view = decode_udp(big, false);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->payload.size(), 70000u);
}

TEST(Udp, LengthPastTheBytesIsBadUnlessTheSnapLengthCutIt) {
  const Packet packet = test::udp(1, 53, hex("01 02 03 04"), 20);
  EXPECT_EQ(decode_udp(packet, false).drop(), Drop::udp_bad_length);
  const auto view = decode_udp(packet, true);
  ASSERT_TRUE(view.ok());
  EXPECT_TRUE(view->payload_cut);
  EXPECT_EQ(view->payload.size(), 4u);
}

TEST(Udp, ShorterLengthThanTheIpPayloadEndsThePayload) {
  const auto view = decode_udp(test::udp(1, 53, hex("01 02 03 04"), 10), false);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->payload.size(), 2u);
}

}  // namespace
}  // namespace pa::decode
