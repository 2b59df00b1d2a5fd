#include "decode/tcp.hpp"

#include <gtest/gtest.h>

#include "decode/packet_builder.hpp"
#include "decode/packet_events.hpp"

namespace pa::decode {
namespace {

using base::Drop;
using test::hex;
using test::Packet;

TEST(Tcp, DecodesPortsSequenceFlagsAndPayload) {
  const auto view =
      decode_tcp(test::tcp(42588, 80, 0x01020304, tcp_flag::syn | tcp_flag::ece, hex("aa")), false);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->source_port, 42588);
  EXPECT_EQ(view->destination_port, 80);
  EXPECT_EQ(view->sequence_number, 0x01020304u);
  EXPECT_EQ(view->acknowledgment_number, 0u);
  EXPECT_EQ(view->flags, tcp_flag::syn | tcp_flag::ece);
  EXPECT_EQ(view->payload.size(), 1u);
}

TEST(Tcp, SkipsOptions) {
  // MSS 1460, SACK permitted, NOP, NOP: data offset 7.
  const Packet segment =
      test::tcp(1, 53, 0, tcp_flag::syn, hex("01 02"), hex("02 04 05 b4 04 02 01 01"));
  const auto view = decode_tcp(segment, false);
  ASSERT_TRUE(view.ok());
  ASSERT_EQ(view->payload.size(), 2u);
  EXPECT_EQ(view->payload[0], 0x01);
}

TEST(Tcp, HeaderCutShortIsTruncated) {
  const Packet packet = test::tcp(1, 53, 0, tcp_flag::ack, {});
  EXPECT_EQ(decode_tcp(base::Bytes(packet).first(19), true).drop(), Drop::tcp_truncated);
}

TEST(Tcp, RejectsDataOffsetBelowFive) {
  Packet packet = test::tcp(1, 53, 0, tcp_flag::ack, {});
  packet[12] = 0x40;
  EXPECT_EQ(decode_tcp(packet, false).drop(), Drop::tcp_bad_header_length);
}

TEST(Tcp, DataOffsetPastTheIpPayloadIsBadUnlessTheSnapLengthCutIt) {
  Packet packet = test::tcp(1, 53, 0, tcp_flag::ack, {});
  packet[12] = 0x60;  // 24 bytes of header in a 20-byte segment
  EXPECT_EQ(decode_tcp(packet, false).drop(), Drop::tcp_bad_header_length);
  EXPECT_EQ(decode_tcp(packet, true).drop(), Drop::tcp_truncated);
}

}  // namespace
}  // namespace pa::decode
