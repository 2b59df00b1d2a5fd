// Captures built to exhaust memory, through the whole per-packet path: whatever the traffic,
// reassembly holds no more than its declared bounds, and every datagram or stream it gives up
// on is counted once.

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "decode/packet_builder.hpp"
#include "reassembly/packet_dissector.hpp"
#include "reassembly/recording_events.hpp"

namespace pa::reassembly {
namespace {

using base::Drop;
using decode::PacketContext;
using decode::test::Packet;
namespace build = decode::test;
namespace tcp_flag = decode::tcp_flag;

constexpr std::uint8_t udp_protocol = 17;
constexpr std::uint8_t tcp_protocol = 6;
constexpr std::uint8_t fragment_header = 44;

// Feeds Ethernet frames one per millisecond of capture time, so that no age limit is reached.
class Feeder {
 public:
  void packet(const Packet& frame) {
    ++number_;
    capture::PacketRecord record;
    record.timestamp_ns = static_cast<std::int64_t>(number_) * 1'000'000;
    record.original_length = static_cast<std::uint32_t>(frame.size());
    record.data = frame;
    dissector.dissect(record, PacketContext{number_, record.timestamp_ns}, events);
  }
  void finish() {
    dissector.finish(PacketContext{number_, static_cast<std::int64_t>(number_) * 1'000'000},
                     events);
  }

  PacketDissector dissector;
  test::RecordingEvents events;

 private:
  std::uint64_t number_ = 0;
};

// The i-th client of a flood: its own address and port, so that each is a new datagram or
// connection.
build::V4 client(std::uint32_t i) {
  return {10, static_cast<std::uint8_t>(i >> 16), static_cast<std::uint8_t>(i >> 8),
          static_cast<std::uint8_t>(i)};
}

Packet tcp_to_port_53(std::uint32_t i, std::uint32_t sequence, std::uint8_t flags,
                      const Packet& payload) {
  return build::ethernet(
      0x0800, build::ipv4(tcp_protocol, build::tcp(40000, 53, sequence, flags, payload), 1, 0, {},
                          client(i), build::server4));
}

TEST(PacketDissectorBounds, ManyThousandsOfNeverCompletedFragmentsStayWithinThePendingLimit) {
  Feeder f;
  constexpr std::uint32_t datagrams = 20000;
  const Packet udp = build::udp(40000, 53, Packet(200, 0xab));
  const Packet first_half(udp.begin(), udp.begin() + 104);
  for (std::uint32_t i = 0; i < datagrams; ++i) {
    // Only the first fragment of each datagram ever comes; IPv4 and IPv6 alike.
    if (i % 2 == 0) {
      f.packet(build::ethernet(
          0x0800, build::ipv4(udp_protocol, first_half, static_cast<std::uint16_t>(i), 0x2000)));
    } else {
      f.packet(build::ethernet(
          0x86dd, build::ipv6(fragment_header,
                              build::ipv6_fragment(udp_protocol, 0, true, i, first_half))));
    }
    ASSERT_LE(f.dissector.counters().fragments.datagrams_pending,
              IpFragmentReassembler::max_pending_datagrams);
  }
  const std::uint64_t evicted = datagrams - IpFragmentReassembler::max_pending_datagrams;
  EXPECT_EQ(f.events.counts[Drop::fragment_evicted], evicted);
  EXPECT_EQ(f.dissector.counters().fragments.datagrams_evicted, evicted);

  f.finish();
  EXPECT_EQ(f.events.counts[Drop::fragment_expired], IpFragmentReassembler::max_pending_datagrams);
  EXPECT_EQ(f.dissector.counters().fragments.datagrams_pending, 0u);
  EXPECT_EQ(f.events.drops.size(), datagrams);  // each datagram given up on is counted once
  EXPECT_TRUE(f.events.messages.empty());
}

TEST(PacketDissectorBounds, ManyNeverEndingStreamsOfBareLengthPrefixesStayWithinTheDirectionLimit) {
  // Ten thousand connections to port 53, each announcing a 65,535-byte message (RFC 1035
  // 4.2.2 length prefix ff ff) and sending nothing more.
  Feeder f;
  constexpr std::uint32_t connections = 10000;
  for (std::uint32_t i = 0; i < connections; ++i) {
    f.packet(tcp_to_port_53(i, 1000, tcp_flag::syn, {}));
    f.packet(tcp_to_port_53(i, 1001, tcp_flag::ack | tcp_flag::psh, build::hex("ff ff")));
    const StreamCounters counters = f.dissector.counters().streams;
    ASSERT_LE(counters.directions_open, TcpStreamReassembler::max_directions);
    ASSERT_LE(counters.bytes_buffered, 2 * counters.directions_open);
  }
  const std::uint64_t evicted = connections - TcpStreamReassembler::max_directions;
  EXPECT_EQ(f.events.counts[Drop::tcp_stream_evicted], evicted);

  f.finish();
  EXPECT_EQ(f.events.counts[Drop::tcp_stream_gap], TcpStreamReassembler::max_directions);
  EXPECT_EQ(f.dissector.counters().streams.bytes_buffered, 0u);
  EXPECT_EQ(f.events.drops.size(), connections);  // each connection given up on is counted once
  EXPECT_TRUE(f.events.messages.empty());
}

TEST(PacketDissectorBounds, ManyLargeUnfinishedMessagesStayWithinTheTotalByteLimit) {
  // 1,200 connections each send 60,000 bytes of a 65,535-byte message that never ends: 72 MB,
  // more than the 64 MiB all streams may hold together.
  Feeder f;
  constexpr std::uint32_t connections = 1200;
  constexpr std::uint32_t segment_bytes = 1000;
  constexpr std::uint32_t message_bytes = 60000;
  const Packet chunk(segment_bytes, 0x5a);
  for (std::uint32_t i = 0; i < connections; ++i) {
    f.packet(tcp_to_port_53(i, 1000, tcp_flag::syn, {}));
    f.packet(tcp_to_port_53(i, 1001, tcp_flag::ack, build::hex("ff ff")));
    for (std::uint32_t sent = 0; sent < message_bytes; sent += segment_bytes) {
      f.packet(tcp_to_port_53(i, 1003 + sent, tcp_flag::ack, chunk));
      ASSERT_LE(f.dissector.counters().streams.bytes_buffered,
                TcpStreamReassembler::max_total_bytes);
    }
  }
  const std::uint64_t evicted = f.events.counts[Drop::tcp_stream_evicted];
  EXPECT_GT(evicted, 0u);

  f.finish();
  EXPECT_EQ(evicted + f.events.counts[Drop::tcp_stream_gap], connections);
  EXPECT_EQ(f.events.drops.size(), connections);
  EXPECT_EQ(f.dissector.counters().streams.bytes_buffered, 0u);
  EXPECT_TRUE(f.events.messages.empty());
}

}  // namespace
}  // namespace pa::reassembly
