#include "stream/frame_codec.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <fstream>

namespace pa::stream {
namespace {

base::IpAddress address(const char* text) { return *base::IpAddress::parse(text); }

// The body of a frame: what follows the length prefix and the type byte.
base::Bytes body_of(const std::vector<std::uint8_t>& frame) {
  return base::Bytes(frame).subspan(frame_prefix_bytes + 1);
}

TEST(FrameCodec, PrefixesEveryFrameWithItsBigEndianLengthAndType) {
  const auto frame = encode_lane_frame(FrameType::open_lane, 0x01020304);
  // 00 00 00 05   length: type byte + 4-byte lane
  // 03            FrameType::open_lane
  // 01 02 03 04   lane
  EXPECT_EQ(frame, (std::vector<std::uint8_t>{0, 0, 0, 5, 3, 1, 2, 3, 4}));
  EXPECT_EQ(decode_lane_frame(body_of(frame)), 0x01020304u);
}

TEST(FrameCodec, RefusesEmptyFramesAndLengthsAboveTheLimitBeforeAllocating) {
  EXPECT_TRUE(check_frame_length(0).has_value());
  EXPECT_FALSE(check_frame_length(1).has_value());
  EXPECT_FALSE(check_frame_length(max_frame_bytes).has_value());
  EXPECT_TRUE(check_frame_length(max_frame_bytes + 1).has_value());
  const auto refused = check_frame_length(0xffffffff);  // a 4 GiB frame
  ASSERT_TRUE(refused.has_value());
  EXPECT_NE(refused->find("4294967295"), std::string::npos);
}

TEST(FrameCodec, CarriesTheHelloWithTheAnalysisOptions) {
  Hello hello;
  hello.window = 4;
  hello.options.watch_host = "www.example.org";
  hello.options.watch_port = 8080;
  hello.options.learn_from_dns = false;
  hello.options.preset_addresses = {address("192.0.2.1"), address("2001:db8::7")};
  const auto decoded = decode_hello(body_of(encode_hello(hello)));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->version, protocol_version);
  EXPECT_EQ(decoded->window, 4);
  EXPECT_EQ(decoded->options.watch_host, "www.example.org");
  EXPECT_EQ(decoded->options.watch_port, 8080);
  EXPECT_FALSE(decoded->options.learn_from_dns);
  EXPECT_EQ(decoded->options.preset_addresses, hello.options.preset_addresses);
  EXPECT_EQ(decoded->options.query_types, std::vector<std::uint16_t>{1});
  // --qtype: a list, or none for every type.
  hello.options.query_types = {28, 1, 65};
  EXPECT_EQ(decode_hello(body_of(encode_hello(hello)))->options.query_types,
            (std::vector<std::uint16_t>{28, 1, 65}));
  hello.options.query_types = {};
  EXPECT_TRUE(decode_hello(body_of(encode_hello(hello)))->options.query_types.empty());
}

TEST(FrameCodec, ReadsOnlyTheVersionOfAHelloFromAnotherVersion) {
  // 50 41 53 54  magic "PAST"
  // 00 63        version 99; the rest is that version's business
  const std::vector<std::uint8_t> body{0x50, 0x41, 0x53, 0x54, 0x00, 0x63, 0xde, 0xad};
  const auto decoded = decode_hello(body);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->version, 99);
}

TEST(FrameCodec, RejectsAHelloReplyWithoutTheMagic) {
  const std::vector<std::uint8_t> garbage{'G', 'E', 'T', ' ', '/', ' '};
  EXPECT_FALSE(decode_hello_reply(garbage).has_value());
  EXPECT_EQ(decode_hello_reply(body_of(encode_hello_reply(7)))->version, 7);
}

TEST(FrameCodec, CarriesRecordsWithTheirNumbersTimesLengthsAndLinkTypes) {
  BatchBuilder builder(3, 42);
  const std::array<std::uint8_t, 3> first_bytes{0xaa, 0xbb, 0xcc};
  capture::PacketRecord first;
  first.timestamp_ns = -5;  // before 1970
  first.original_length = 60;
  first.link_type = capture::LinkType::linux_sll2;
  first.data = first_bytes;
  capture::PacketRecord second;
  second.interface_known = false;
  builder.add(17, first, 3);
  builder.add(19, second, 0);
  EXPECT_EQ(builder.first_packet_number(), 17u);
  const auto frame = builder.take();
  EXPECT_EQ(frame[frame_prefix_bytes], static_cast<std::uint8_t>(FrameType::batch));

  RecordScratch scratch;
  BatchReader reader(body_of(frame), scratch);
  EXPECT_EQ(reader.lane(), 3u);
  EXPECT_EQ(reader.seq(), 42u);
  BatchEntry entry;
  ASSERT_TRUE(reader.next(entry));
  EXPECT_FALSE(entry.is_events);
  EXPECT_EQ(entry.packet.packet_number, 17u);
  EXPECT_EQ(entry.packet.timestamp_ns, -5);
  EXPECT_EQ(entry.record.original_length, 60u);
  EXPECT_EQ(entry.record.link_type, capture::LinkType::linux_sll2);
  EXPECT_TRUE(entry.record.interface_known);
  EXPECT_TRUE(std::equal(entry.record.data.begin(), entry.record.data.end(), first_bytes.begin(),
                         first_bytes.end()));
  ASSERT_TRUE(reader.next(entry));
  EXPECT_EQ(entry.packet.packet_number, 19u);
  EXPECT_FALSE(entry.record.interface_known);
  EXPECT_FALSE(reader.next(entry));
  EXPECT_FALSE(reader.failed());
}

TEST(FrameCodec, FailsABatchWhoseRecordRunsPastTheFrame) {
  BatchBuilder builder(0, 1);
  const std::array<std::uint8_t, 4> bytes{1, 2, 3, 4};
  capture::PacketRecord record;
  record.data = bytes;
  builder.add(1, record, 4);
  auto frame = builder.take();
  frame.pop_back();
  RecordScratch scratch;
  BatchReader reader(body_of(frame), scratch);
  BatchEntry entry;
  EXPECT_FALSE(reader.next(entry));
  EXPECT_TRUE(reader.failed());
}

TEST(FrameCodec, SendsOnlyTheBytesReadAndKeepsTheCapturedLength) {
  BatchBuilder builder(0, 1);
  const std::array<std::uint8_t, 6> bytes{1, 2, 3, 4, 5, 6};
  capture::PacketRecord record;
  record.original_length = 6;
  record.data = bytes;
  builder.add(1, record, 2);
  const auto frame = builder.take();
  RecordScratch scratch;
  BatchReader reader(body_of(frame), scratch);
  BatchEntry entry;
  ASSERT_TRUE(reader.next(entry));
  const capture::PacketRecord& got = entry.record;
  ASSERT_EQ(got.data.size(), 6u);  // not cut by the capture: the same size as on the wire
  EXPECT_EQ(got.data[0], 1);
  EXPECT_EQ(got.data[1], 2);
  EXPECT_EQ(got.original_length, 6u);
}

// A batch entry written field by field, whatever it claims.
struct HandMadeEntry {
  std::uint64_t packet_number = 1;
  std::uint32_t original_length = 0;
  std::uint32_t link_type = 1;
  std::uint8_t kind = entry_kind::packet;
  std::uint32_t captured_length = 0;
  std::vector<std::uint8_t> sent;
};

// A batch frame of lane 0, sequence number 1, holding `entries`.
std::vector<std::uint8_t> hand_made_batch(const std::vector<HandMadeEntry>& entries) {
  FrameWriter writer(FrameType::batch);
  writer.u32(0);
  writer.u64(1);
  writer.u32(static_cast<std::uint32_t>(entries.size()));
  for (const HandMadeEntry& entry : entries) {
    writer.u64(entry.packet_number);
    writer.i64(0);  // timestamp
    writer.u32(entry.original_length);
    writer.u32(entry.link_type);
    writer.u8(entry.kind);
    writer.u32(entry.captured_length);
    writer.u32(static_cast<std::uint32_t>(entry.sent.size()));
    writer.bytes(entry.sent);
  }
  return writer.take();
}

TEST(FrameCodec, RefusesARecordThatClaimsMoreBytesThanAnyCapture) {
  // A captured length of 4 GiB, above max_captured_length, none of it sent.
  const auto frame =
      hand_made_batch({{.original_length = 60, .captured_length = 0xffffffff, .sent = {}}});
  RecordScratch scratch;
  BatchReader reader(body_of(frame), scratch);
  BatchEntry entry;
  EXPECT_FALSE(reader.next(entry));
  EXPECT_TRUE(reader.failed());
}

// What the resident set of this process is, from /proc/self/statm (pages).
std::size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t size = 0;
  std::size_t resident = 0;
  statm >> size >> resident;
  return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

TEST(FrameCodec, RebuildsTheLongestRecordWithoutHoldingItsBytes) {
  // Two records of the longest captured length a capture may hold, two bytes of each sent.
  std::vector<HandMadeEntry> entries;
  for (std::uint8_t packet = 1; packet <= 2; ++packet) {
    entries.push_back({.packet_number = packet,
                       .original_length = max_captured_length,
                       .captured_length = max_captured_length,
                       .sent = {0xaa, packet}});
  }
  const auto frame = hand_made_batch(entries);
  RecordScratch scratch;
  BatchReader reader(body_of(frame), scratch);
  const std::size_t before = resident_bytes();
  BatchEntry entry;
  for (std::uint64_t packet = 1; packet <= 2; ++packet) {
    ASSERT_TRUE(reader.next(entry));
    EXPECT_EQ(entry.record.data.size(), max_captured_length);
    EXPECT_EQ(entry.record.data[0], 0xaa);
    EXPECT_EQ(entry.record.data[1], packet);
  }
  EXPECT_FALSE(reader.next(entry));
  EXPECT_FALSE(reader.failed());
  EXPECT_LT(resident_bytes(), before + (std::size_t{4} << 20));
}

TEST(FrameCodec, CarriesTheProvidersReassemblyEventsBesidePackets) {
  BatchBuilder builder(1, 2);
  const std::array<std::uint8_t, 3> events{3, 0, 7};
  builder.add_events({5, 123}, events);
  capture::PacketRecord record;
  const std::array<std::uint8_t, 2> bytes{9, 9};
  record.data = bytes;
  builder.add(6, record, 2);
  const auto frame = builder.take();
  RecordScratch scratch;
  BatchReader reader(body_of(frame), scratch);
  BatchEntry entry;
  ASSERT_TRUE(reader.next(entry));
  EXPECT_TRUE(entry.is_events);
  EXPECT_EQ(entry.packet.packet_number, 5u);
  EXPECT_EQ(entry.packet.timestamp_ns, 123);
  EXPECT_TRUE(std::equal(entry.event_record.begin(), entry.event_record.end(), events.begin(),
                         events.end()));
  ASSERT_TRUE(reader.next(entry));
  EXPECT_FALSE(entry.is_events);
  EXPECT_EQ(entry.record.data.size(), 2u);
  EXPECT_FALSE(reader.next(entry));
  EXPECT_FALSE(reader.failed());
}

TEST(FrameCodec, RefusesAnEntryOfUnknownKindOrAnEventsEntryNotSentWhole) {
  // A kind past the last one; an events record of one byte that sends none.
  for (const HandMadeEntry& hand_made :
       {HandMadeEntry{.kind = 3, .captured_length = 1, .sent = {3}},
        HandMadeEntry{
            .link_type = 0, .kind = entry_kind::event_record, .captured_length = 1, .sent = {}}}) {
    const auto frame = hand_made_batch({hand_made});
    RecordScratch scratch;
    BatchReader reader(body_of(frame), scratch);
    BatchEntry entry;
    EXPECT_FALSE(reader.next(entry)) << "kind " << int{hand_made.kind};
    EXPECT_TRUE(reader.failed());
  }
}

TEST(FrameCodec, CarriesAnAcknowledgementWithItsResultDelta) {
  Ack ack;
  ack.lane = 2;
  ack.seq = 9;
  ack.flags = Ack::final;
  ack.delta.query_counts = {{"www.example.org", 3}, {"a\\.b", 1, 65}};
  ack.delta.learned = {{address("192.0.2.1"), 12, 1'000'000'000}};
  ack.delta.source_ports = {80, 443};
  ack.delta.syn_candidates = {{address("2001:db8::1"), 5555, 30}};
  ack.delta.dns_messages = 7;
  ack.delta.malformed_dns_messages = 1;
  ack.delta.malformed_answer_sections = 2;
  ack.delta.skipped_packets = 4;
  ack.delta.drops.add(base::Drop::dns_malformed, 5);
  const auto decoded = decode_ack(body_of(encode_ack(ack)));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->lane, 2u);
  EXPECT_EQ(decoded->seq, 9u);
  EXPECT_EQ(decoded->flags, Ack::final);
  ASSERT_EQ(decoded->delta.query_counts.size(), 2u);
  EXPECT_EQ(decoded->delta.query_counts[1].name, "a\\.b");
  EXPECT_EQ(decoded->delta.query_counts[0].count, 3u);
  EXPECT_EQ(decoded->delta.query_counts[0].type, 1);
  EXPECT_EQ(decoded->delta.query_counts[1].type, 65);
  ASSERT_EQ(decoded->delta.learned.size(), 1u);
  EXPECT_EQ(decoded->delta.learned[0].address, address("192.0.2.1"));
  EXPECT_EQ(decoded->delta.learned[0].timestamp_ns, 1'000'000'000);
  EXPECT_EQ(decoded->delta.source_ports, (std::vector<std::uint16_t>{80, 443}));
  ASSERT_EQ(decoded->delta.syn_candidates.size(), 1u);
  EXPECT_EQ(decoded->delta.syn_candidates[0].source_port, 5555);
  EXPECT_EQ(decoded->delta.syn_candidates[0].packet_number, 30u);
  EXPECT_EQ(decoded->delta.skipped_packets, 4u);
  EXPECT_EQ(decoded->delta.drops, ack.delta.drops);
}

TEST(FrameCodec, RejectsAnAcknowledgementThatPromisesMoreThanItHolds) {
  const Ack ack;
  const auto frame = encode_ack(ack);
  const base::Bytes whole = body_of(frame);
  auto body = std::vector<std::uint8_t>(whole.begin(), whole.end());
  // The name count sits after lane (4), seq (8), flags (1), four counters (32) and the
  // drop-reason count (2): claim four billion names in a frame that holds none.
  constexpr std::size_t names_at = 4 + 8 + 1 + 32 + 2;
  body[names_at] = 0xff;
  body[names_at + 1] = 0xff;
  body[names_at + 2] = 0xff;
  body[names_at + 3] = 0xff;
  EXPECT_FALSE(decode_ack(body).has_value());
  body.pop_back();
  EXPECT_FALSE(decode_ack(body).has_value());
  // An unknown drop reason.
  auto reasons = std::vector<std::uint8_t>(whole.begin(), whole.end());
  reasons[names_at - 1] = 1;
  reasons.insert(reasons.begin() + names_at, {0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 1});
  EXPECT_FALSE(decode_ack(reasons).has_value());
}

TEST(FrameCodec, CarriesTheTimelineOfAnAcknowledgement) {
  Ack ack;
  ack.delta.timeline.add(-3'000'000'000, analysis::TimelineSeries::queries);
  ack.delta.timeline.add(90'000'000'000, analysis::TimelineSeries::connection_attempts);
  ack.delta.timeline.add(90'000'000'001, analysis::TimelineSeries::queries, 5);
  const auto decoded = decode_ack(body_of(encode_ack(ack)));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->delta.timeline, ack.delta.timeline);
  EXPECT_EQ(decoded->delta.timeline.total(analysis::TimelineSeries::queries), 6u);
  const auto empty = decode_ack(body_of(encode_ack(Ack{})));
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(empty->delta.timeline.has_no_buckets());
}

TEST(FrameCodec, RejectsATimelineItCouldNotHold) {
  Ack ack;
  ack.delta.timeline.add(1'000'000'000, analysis::TimelineSeries::queries);
  const auto frame = encode_ack(ack);
  const base::Bytes whole = body_of(frame);
  const std::vector<std::uint8_t> good(whole.begin(), whole.end());
  ASSERT_TRUE(decode_ack(good).has_value());
  // The timeline ends the fields: bucket count (2), exponent (1), first bucket (8), one bucket
  // (16), then the MAC (32).
  const std::size_t timeline_at = good.size() - 32 - 16 - 8 - 1 - 2;
  ASSERT_EQ(good[timeline_at + 1], 1);
  const auto changed = [&](std::size_t at, std::initializer_list<std::uint8_t> bytes) {
    std::vector<std::uint8_t> body = good;
    std::copy(bytes.begin(), bytes.end(), body.begin() + static_cast<std::ptrdiff_t>(at));
    return body;
  };
  // A width exponent out of range, either way.
  EXPECT_FALSE(decode_ack(changed(timeline_at + 2, {34})).has_value());
  EXPECT_FALSE(decode_ack(changed(timeline_at + 2, {0xf6})).has_value());  // -10
  EXPECT_TRUE(decode_ack(changed(timeline_at + 2, {0xf7})).has_value());   // -9
  // A first bucket past the int64 range at that width.
  EXPECT_FALSE(
      decode_ack(changed(timeline_at + 3, {0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}))
          .has_value());
  // An empty bucket.
  EXPECT_FALSE(decode_ack(changed(timeline_at + 11, {0, 0, 0, 0, 0, 0, 0, 0})).has_value());
  // More buckets than the frame holds, and more than a timeline has, with the bytes there.
  EXPECT_FALSE(decode_ack(changed(timeline_at, {0, 2})).has_value());
  EXPECT_FALSE(decode_ack(changed(timeline_at, {0xff, 0xff})).has_value());
  std::vector<std::uint8_t> many = changed(timeline_at, {0, 65});
  std::vector<std::uint8_t> bucket(good.begin() + static_cast<std::ptrdiff_t>(timeline_at + 11),
                                   good.begin() + static_cast<std::ptrdiff_t>(timeline_at + 27));
  for (int i = 0; i < 64; ++i) {
    many.insert(many.begin() + static_cast<std::ptrdiff_t>(timeline_at + 27), bucket.begin(),
                bucket.end());
  }
  EXPECT_FALSE(decode_ack(many).has_value());
  std::vector<std::uint8_t> most = changed(timeline_at, {0, 64});
  for (int i = 0; i < 63; ++i) {
    most.insert(most.begin() + static_cast<std::ptrdiff_t>(timeline_at + 27), bucket.begin(),
                bucket.end());
  }
  EXPECT_TRUE(decode_ack(most).has_value());
}

TEST(FrameCodec, CarriesTheFinishWithTheLastPacket) {
  const auto decoded = decode_finish_lane(body_of(encode_finish_lane({5, 77, {1234, 99}})));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->lane, 5u);
  EXPECT_EQ(decoded->seq, 77u);
  EXPECT_EQ(decoded->last.packet_number, 1234u);
  EXPECT_EQ(decoded->last.timestamp_ns, 99);
}

}  // namespace
}  // namespace pa::stream
