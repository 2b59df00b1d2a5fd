#include "reassembly/tcp_stream_reassembler.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "decode/packet_builder.hpp"
#include "reassembly/recording_events.hpp"

namespace pa::reassembly {
namespace {

using base::Drop;
using decode::PacketContext;
using decode::test::hex;
using decode::test::Packet;
namespace tcp_flag = decode::tcp_flag;
using test::RecordingEvents;

const StreamKey query_direction{base::IpAddress::v4(decode::test::client4),
                                base::IpAddress::v4(decode::test::server4), 49152, 53};

// Two small stand-ins for DNS messages: the stream does not look inside them.
const Packet message_a = hex("ab cd 01 00 00 01 00 00 00 00 00 00");
const Packet message_b = hex("12 34 81 80 00 01 00 01 00 00 00 00 c0 0c");

// Feeds segments of one direction; sequence numbers are relative to `isn`.
class Feeder {
 public:
  explicit Feeder(StreamKey key = query_direction, std::uint32_t isn = 1000)
      : key_(key), isn_(isn) {}

  void syn(const Packet& data = {}) { send(0, tcp_flag::syn, data); }
  // `offset` counts from the first data byte (isn + 1).
  void data(std::uint32_t offset, const Packet& bytes, std::uint8_t flags = tcp_flag::ack,
            bool cut = false) {
    send(offset + 1, flags, bytes, cut);
  }
  void fin(std::uint32_t offset) { send(offset + 1, tcp_flag::fin | tcp_flag::ack, {}); }
  void rst(std::uint32_t offset) { send(offset + 1, tcp_flag::rst, {}); }

  TcpStreamReassembler reassembler;
  RecordingEvents events;
  std::uint64_t packet_number = 0;
  std::int64_t seconds = 0;

 private:
  void send(std::uint32_t relative, std::uint8_t flags, const Packet& bytes, bool cut = false) {
    ++packet_number;
    const PacketContext packet{packet_number, seconds * 1'000'000'000};
    reassembler.add(packet, TcpSegment{key_, isn_ + relative, flags, bytes, cut}, events);
  }
  StreamKey key_;
  std::uint32_t isn_;
};

std::vector<Packet> delivered(const RecordingEvents& events) {
  std::vector<Packet> out;
  for (const auto& m : events.messages) out.push_back(m.bytes);
  return out;
}

TEST(TcpStreamReassembler, DeliversAMessageSplitOverSegmentsWhenTheLastPieceArrives) {
  Feeder f;
  f.syn();
  const Packet frame = decode::test::dns_tcp_frame(message_a);
  f.data(0, Packet(frame.begin(), frame.begin() + 1));      // half the length prefix
  f.data(1, Packet(frame.begin() + 1, frame.begin() + 6));  // the rest of it and 4 bytes
  EXPECT_TRUE(f.events.messages.empty());
  f.data(6, Packet(frame.begin() + 6, frame.end()));
  ASSERT_EQ(f.events.messages.size(), 1u);
  EXPECT_EQ(f.events.messages[0].bytes, message_a);
  EXPECT_EQ(f.events.messages[0].packet_number, 4u);
  EXPECT_EQ(f.events.messages[0].transport, decode::DnsTransport::tcp);
  EXPECT_FALSE(f.events.messages[0].cut);
}

TEST(TcpStreamReassembler, DeliversSeveralMessagesFromOneSegment) {
  Feeder f;
  f.syn();
  const Packet frames =
      decode::test::concat(decode::test::concat(decode::test::dns_tcp_frame(message_a),
                                                decode::test::dns_tcp_frame(message_b)),
                           decode::test::dns_tcp_frame(message_a));
  f.data(0, frames);
  EXPECT_EQ(delivered(f.events), (std::vector<Packet>{message_a, message_b, message_a}));
}

TEST(TcpStreamReassembler, DoesNotDeliverRetransmittedBytesTwice) {
  Feeder f;
  f.syn();
  const Packet frame_a = decode::test::dns_tcp_frame(message_a);
  const Packet frame_b = decode::test::dns_tcp_frame(message_b);
  f.data(0, frame_a);
  f.data(0, frame_a);  // retransmission
  // A retransmission that also carries new bytes: only those are taken.
  f.data(0, decode::test::concat(frame_a, frame_b));
  EXPECT_EQ(delivered(f.events), (std::vector<Packet>{message_a, message_b}));
  EXPECT_TRUE(f.events.drops.empty());
}

TEST(TcpStreamReassembler, WaitsForTheMissingSegmentOfOutOfOrderOnes) {
  Feeder f;
  f.syn();
  const Packet frames = decode::test::concat(decode::test::dns_tcp_frame(message_a),
                                             decode::test::dns_tcp_frame(message_b));
  const auto at = [&](std::size_t from, std::size_t to) {
    return Packet(frames.begin() + static_cast<std::ptrdiff_t>(from),
                  frames.begin() + static_cast<std::ptrdiff_t>(to));
  };
  f.data(20, at(20, frames.size()));
  f.data(10, at(10, 20));
  EXPECT_TRUE(f.events.messages.empty());
  f.data(0, at(0, 10));
  EXPECT_EQ(delivered(f.events), (std::vector<Packet>{message_a, message_b}));
  EXPECT_EQ(f.events.messages[1].packet_number, 4u);
  EXPECT_EQ(f.reassembler.counters().bytes_buffered, 0u);
}

TEST(TcpStreamReassembler, StartsAtTheFirstDataSegmentWhenNoSynWasSeen) {
  Feeder f;
  f.data(5000, decode::test::dns_tcp_frame(message_b));
  EXPECT_EQ(delivered(f.events), (std::vector<Packet>{message_b}));
}

TEST(TcpStreamReassembler, DeliversDataCarriedByTheSynForFastOpen) {
  Feeder f;
  f.syn(decode::test::dns_tcp_frame(message_a));
  f.data(0, decode::test::dns_tcp_frame(message_a));  // the SYN's data, sent again
  EXPECT_EQ(delivered(f.events), (std::vector<Packet>{message_a}));
}

TEST(TcpStreamReassembler, GoesOnAfterTheGapWhenTheQueueOverflows) {
  Feeder f;
  f.syn();
  // The segment at offset 0 never comes; more wait than the queue holds. They hold the start
  // of a 65,535-byte message, so nothing is delivered after the jump either.
  for (std::uint32_t i = 0; i <= TcpStreamReassembler::max_held_segments; ++i) {
    f.data(10 + i * 4, hex("ff ff ff ff"));
  }
  ASSERT_EQ(f.events.drops.size(), 1u);
  EXPECT_EQ(f.events.drops[0].reason, Drop::tcp_stream_gap);
  EXPECT_EQ(f.events.drops[0].packet_number, 2u + TcpStreamReassembler::max_held_segments);
  EXPECT_TRUE(f.events.messages.empty());
  EXPECT_LE(f.reassembler.counters().bytes_buffered, TcpStreamReassembler::max_message_bytes);
  // The missing bytes, late: already given up on.
  f.data(0, decode::test::dns_tcp_frame(message_a));
  EXPECT_TRUE(f.events.messages.empty());
}

TEST(TcpStreamReassembler, GoesOnAtTheHeldSegmentWhenTheOtherSideAcknowledgedTheMissingBytes) {
  Feeder client;
  const StreamKey response_direction = query_direction.reversed();
  TcpStreamReassembler& r = client.reassembler;
  RecordingEvents& events = client.events;
  client.syn();
  const Packet frame_a = decode::test::dns_tcp_frame(message_a);
  const Packet frame_b = decode::test::dns_tcp_frame(message_b);
  // Server: SYN-ACK at 5000, then its first response is not in the capture; the second is.
  r.add(PacketContext{2, 0},
        TcpSegment{response_direction, 5000, tcp_flag::syn | tcp_flag::ack, {}, false, 1001},
        events);
  const auto second_at = static_cast<std::uint32_t>(5001 + frame_a.size());
  r.add(PacketContext{3, 0},
        TcpSegment{response_direction, second_at, tcp_flag::ack, frame_b, false, 1001}, events);
  EXPECT_TRUE(events.messages.empty());
  // The client acknowledges both responses: the first is missing for good.
  r.add(PacketContext{4, 0},
        TcpSegment{query_direction,
                   1001,
                   tcp_flag::ack,
                   {},
                   false,
                   static_cast<std::uint32_t>(second_at + frame_b.size())},
        events);
  ASSERT_EQ(events.messages.size(), 1u);
  EXPECT_EQ(events.messages[0].bytes, message_b);
  EXPECT_EQ(events.messages[0].packet_number, 4u);
  ASSERT_EQ(events.drops.size(), 1u);
  EXPECT_EQ(events.drops[0].reason, Drop::tcp_stream_gap);
}

TEST(TcpStreamReassembler, GoesOnAtTheNextSegmentAfterOneTheSnapLengthCut) {
  Feeder f;
  f.syn();
  const Packet frame = decode::test::dns_tcp_frame(message_b);
  f.data(0, Packet(frame.begin(), frame.begin() + 6), tcp_flag::ack, true);
  EXPECT_EQ(f.events.counts[Drop::tcp_stream_gap], 1u);
  EXPECT_TRUE(f.events.messages.empty());
  f.data(3, Packet(frame.begin() + 3, frame.end()));  // a retransmission from before the gap
  EXPECT_TRUE(f.events.messages.empty());
  f.data(static_cast<std::uint32_t>(frame.size()), decode::test::dns_tcp_frame(message_a));
  EXPECT_EQ(delivered(f.events), (std::vector<Packet>{message_a}));
  EXPECT_EQ(f.events.counts[Drop::tcp_stream_gap], 1u);
}

TEST(TcpStreamReassembler, CountsAGapWhenAResetEndsAStreamWithBytesMissing) {
  Feeder f;
  f.syn();
  f.data(20, hex("00 01 02"));
  f.rst(23);
  EXPECT_EQ(f.events.counts[Drop::tcp_stream_gap], 1u);
  EXPECT_EQ(f.reassembler.counters().directions_open, 0u);
}

TEST(TcpStreamReassembler, FinishesADirectionAtItsFinOnceEveryByteCame) {
  Feeder f;
  f.syn();
  const Packet frame = decode::test::dns_tcp_frame(message_a);
  f.fin(static_cast<std::uint32_t>(frame.size()));
  f.data(0, frame);  // the last data overtaken by the FIN
  EXPECT_EQ(delivered(f.events), (std::vector<Packet>{message_a}));
  EXPECT_EQ(f.reassembler.counters().bytes_buffered, 0u);
  // Sent again after the FIN (its acknowledgment was lost): not a new stream.
  f.data(0, frame);
  EXPECT_EQ(delivered(f.events), (std::vector<Packet>{message_a}));
  EXPECT_TRUE(f.events.drops.empty());
}

TEST(TcpStreamReassembler, CountsAGapForAMessageUnfinishedAtTheFin) {
  Feeder f;
  f.syn();
  f.data(0, hex("00 20 01 02"), tcp_flag::ack | tcp_flag::fin);
  EXPECT_EQ(f.events.counts[Drop::tcp_stream_gap], 1u);
  EXPECT_EQ(f.reassembler.counters().bytes_buffered, 0u);
}

TEST(TcpStreamReassembler, LengthPrefixesWithoutDataStayWithinOneMessage) {
  Feeder f;
  f.syn();
  // A peer announcing 65,535-byte messages and sending them one prefix after another: the
  // prefixes become the message body, and no more than one message is ever held.
  Packet prefixes;
  for (int i = 0; i < 1000; ++i) prefixes = decode::test::concat(prefixes, hex("ff ff"));
  std::uint32_t offset = 0;
  for (int i = 0; i < 40; ++i) {
    f.data(offset, prefixes);
    offset += static_cast<std::uint32_t>(prefixes.size());
    EXPECT_LE(f.reassembler.counters().bytes_buffered, TcpStreamReassembler::max_message_bytes);
  }
  EXPECT_EQ(f.events.messages.size(), 1u);  // 80,000 bytes: one whole 65,535-byte message
  // Far-ahead segments are bounded too.
  for (std::uint32_t i = 0; i < 100; ++i) f.data(offset + 100000 + i * 2000, Packet(1000, 0xff));
  EXPECT_LE(f.reassembler.counters().bytes_buffered,
            TcpStreamReassembler::max_message_bytes + TcpStreamReassembler::max_held_bytes);
}

TEST(TcpStreamReassembler, EvictsTheLeastRecentlyActiveDirectionBeyondTheCount) {
  TcpStreamReassembler reassembler;
  RecordingEvents events;
  for (std::uint32_t i = 0; i <= TcpStreamReassembler::max_directions; ++i) {
    StreamKey key = query_direction;
    key.source_port = static_cast<std::uint16_t>(1024 + i);
    reassembler.add(PacketContext{i + 1, 0}, TcpSegment{key, 1, tcp_flag::syn, {}, false}, events);
  }
  EXPECT_EQ(events.counts[Drop::tcp_stream_evicted], 1u);
  EXPECT_EQ(reassembler.counters().directions_open, TcpStreamReassembler::max_directions);
}

TEST(TcpStreamReassembler, ClosesIdleDirectionsByCaptureTime) {
  Feeder f;
  f.syn();
  f.data(0, hex("00 0c ab cd"));  // a message begun, never finished
  f.seconds = 1000;
  f.data(1000, {});  // an empty segment still moves the clock on
  EXPECT_EQ(f.events.counts[Drop::tcp_stream_gap], 1u);
}

TEST(TcpStreamReassembler, FinishCountsUnfinishedDirectionsAsGaps) {
  Feeder f;
  f.syn();
  f.data(0, hex("00 0c ab cd"));
  f.reassembler.finish(PacketContext{99, 0}, f.events);
  EXPECT_EQ(f.events.counts[Drop::tcp_stream_gap], 1u);
  EXPECT_EQ(f.reassembler.counters().directions_open, 0u);
}

TEST(TcpStreamReassembler, ANewSynStartsTheDirectionAgain) {
  Feeder f;
  f.syn();
  f.data(0, decode::test::dns_tcp_frame(message_a));
  // The same 4-tuple with a new initial sequence number: a new connection.
  f.reassembler.add(PacketContext{10, 0},
                    TcpSegment{query_direction, 777, tcp_flag::syn, {}, false}, f.events);
  f.reassembler.add(PacketContext{11, 0},
                    TcpSegment{query_direction, 778, tcp_flag::ack,
                               decode::test::dns_tcp_frame(message_b), false},
                    f.events);
  EXPECT_EQ(delivered(f.events), (std::vector<Packet>{message_a, message_b}));
}

TEST(TcpStreamReassembler, StaysWithinItsBoundsUnderRandomSegments) {
  // Random sequence numbers, flags, lengths and prefixes over a few connections, with a fixed
  // seed: whatever arrives, the buffered bytes stay within the per-direction bounds.
  TcpStreamReassembler reassembler;
  RecordingEvents events;
  std::mt19937 random(53);
  Packet bytes(3000);
  for (std::uint64_t i = 1; i <= 20000; ++i) {
    StreamKey key = query_direction;
    key.source_port = static_cast<std::uint16_t>(1000 + random() % 4);
    if (random() % 2 == 0) key = key.reversed();
    for (auto& b : bytes) b = static_cast<std::uint8_t>(random() % 4 == 0 ? 0xff : random());
    const std::size_t length = random() % bytes.size();
    const auto flags = static_cast<std::uint8_t>(random() % 64 == 0 ? random() : tcp_flag::ack);
    const std::uint32_t sequence = static_cast<std::uint32_t>(random() % 200000);
    reassembler.add(PacketContext{i, static_cast<std::int64_t>(i) * 1000},
                    TcpSegment{key, sequence, flags, base::Bytes(bytes).first(length),
                               random() % 50 == 0, static_cast<std::uint32_t>(random() % 200000)},
                    events);
    const StreamCounters counters = reassembler.counters();
    ASSERT_LE(counters.bytes_buffered,
              counters.directions_open *
                  (TcpStreamReassembler::max_message_bytes + TcpStreamReassembler::max_held_bytes));
  }
  reassembler.finish(PacketContext{20001, 0}, events);
  EXPECT_EQ(reassembler.counters().bytes_buffered, 0u);
}

}  // namespace
}  // namespace pa::reassembly
