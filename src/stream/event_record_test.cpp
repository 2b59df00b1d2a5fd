#include "stream/event_record.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "reassembly/recording_events.hpp"

namespace pa::stream {
namespace {

using reassembly::test::RecordingEvents;

base::IpAddress address(const char* text) { return *base::IpAddress::parse(text); }

// Records one event of each kind, as the provider's reassembly may produce them at one packet.
EventRecorder recorded() {
  EventRecorder recorder;
  const decode::PacketContext packet{9, 1000};
  recorder.on_tcp_segment(packet, {address("192.0.2.1"), address("2001:db8::53"), 40000, 53,
                                   decode::tcp_flag::syn | decode::tcp_flag::ack});
  const std::vector<std::uint8_t> message{0x12, 0x34, 0x81, 0x80};
  recorder.on_dns_message(packet, message, decode::DnsTransport::tcp, true);
  recorder.on_dns_message(packet, {}, decode::DnsTransport::udp, false);
  recorder.on_drop(packet, base::Drop::tcp_stream_evicted);
  return recorder;
}

TEST(EventRecord, ReplaysEveryEventInOrderInTheRecordsPacket) {
  const EventRecorder recorder = recorded();
  RecordingEvents events;
  ASSERT_TRUE(replay_events(recorder.bytes(), {12, 2000}, events));
  ASSERT_EQ(events.segments.size(), 1u);
  EXPECT_EQ(events.segments[0].packet_number, 12u);
  EXPECT_EQ(events.segments[0].header.source, address("192.0.2.1"));
  EXPECT_EQ(events.segments[0].header.destination, address("2001:db8::53"));
  EXPECT_EQ(events.segments[0].header.source_port, 40000);
  EXPECT_EQ(events.segments[0].header.destination_port, 53);
  EXPECT_EQ(events.segments[0].header.flags, decode::tcp_flag::syn | decode::tcp_flag::ack);
  ASSERT_EQ(events.messages.size(), 2u);
  EXPECT_EQ(events.messages[0].bytes, (std::vector<std::uint8_t>{0x12, 0x34, 0x81, 0x80}));
  EXPECT_EQ(events.messages[0].transport, decode::DnsTransport::tcp);
  EXPECT_TRUE(events.messages[0].cut);
  EXPECT_TRUE(events.messages[1].bytes.empty());
  EXPECT_EQ(events.messages[1].transport, decode::DnsTransport::udp);
  EXPECT_FALSE(events.messages[1].cut);
  ASSERT_EQ(events.drops.size(), 1u);
  EXPECT_EQ(events.drops[0].reason, base::Drop::tcp_stream_evicted);
}

TEST(EventRecord, AnEmptyRecordHoldsNoEvent) {
  RecordingEvents events;
  EXPECT_TRUE(replay_events({}, {1, 0}, events));
  EXPECT_TRUE(events.segments.empty() && events.messages.empty() && events.drops.empty());
}

TEST(EventRecord, RefusesEveryCutShortRecord) {
  const EventRecorder recorder = recorded();
  const base::Bytes whole = recorder.bytes();
  // Cut between two events the record is whole; cut anywhere else, it is not. The segment
  // takes type, 1 + 4, 1 + 16, 2, 2, 1 bytes; a DNS message type, 1, 1, 4 and its bytes.
  constexpr std::size_t segment_end = 1 + 5 + 17 + 2 + 2 + 1;
  constexpr std::size_t first_message_end = segment_end + 7 + 4;
  constexpr std::size_t second_message_end = first_message_end + 7;
  for (std::size_t length = 1; length < whole.size(); ++length) {
    RecordingEvents events;
    const bool between =
        length == segment_end || length == first_message_end || length == second_message_end;
    EXPECT_EQ(replay_events(whole.first(length), {1, 0}, events), between) << "cut at " << length;
  }
}

TEST(EventRecord, RefusesUnknownTypesFamiliesFlagsAndDropReasons) {
  RecordingEvents events;
  EXPECT_FALSE(replay_events(std::vector<std::uint8_t>{0}, {1, 0}, events));
  EXPECT_FALSE(replay_events(std::vector<std::uint8_t>{4}, {1, 0}, events));
  // A segment whose source address is of family 5.
  EXPECT_FALSE(replay_events(std::vector<std::uint8_t>{1, 5, 0, 0, 0, 0}, {1, 0}, events));
  // A DNS message with transport 2, then one with "cut" 2.
  EXPECT_FALSE(replay_events(std::vector<std::uint8_t>{2, 2, 0, 0, 0, 0, 0}, {1, 0}, events));
  EXPECT_FALSE(replay_events(std::vector<std::uint8_t>{2, 0, 2, 0, 0, 0, 0}, {1, 0}, events));
  // A DNS message longer than the record.
  EXPECT_FALSE(
      replay_events(std::vector<std::uint8_t>{2, 0, 0, 0xff, 0xff, 0xff, 0xff, 1}, {1, 0}, events));
  // A drop reason past the last one.
  EXPECT_FALSE(replay_events(std::vector<std::uint8_t>{3, 0xff, 0xff}, {1, 0}, events));
  EXPECT_TRUE(events.messages.empty() && events.drops.empty() && events.segments.empty());
}

}  // namespace
}  // namespace pa::stream
