#include "reassembly/ip_fragment_reassembler.hpp"

#include <gtest/gtest.h>

#include <numeric>
#include <random>
#include <vector>

#include "decode/packet_builder.hpp"
#include "reassembly/recording_events.hpp"

namespace pa::reassembly {
namespace {

using base::Drop;
using decode::FragmentInfo;
using decode::PacketContext;
using test::RecordingEvents;

const FragmentKey key_a{base::IpAddress::v4(decode::test::client4),
                        base::IpAddress::v4(decode::test::server4), 0x1234, 17};

std::vector<std::uint8_t> datagram_bytes(std::size_t n) {
  std::vector<std::uint8_t> bytes(n);
  std::iota(bytes.begin(), bytes.end(), std::uint8_t{1});
  return bytes;
}

base::Bytes slice(const std::vector<std::uint8_t>& bytes, std::size_t from, std::size_t to) {
  return base::Bytes(bytes).subspan(from, to - from);
}

FragmentInfo piece(std::uint32_t offset, bool more, std::uint32_t id = 0x1234) {
  return FragmentInfo{true, more, offset, id};
}

PacketContext at(std::uint64_t number, std::int64_t seconds = 0) {
  return PacketContext{number, seconds * 1'000'000'000};
}

TEST(IpFragmentReassembler, JoinsFragmentsInOrder) {
  IpFragmentReassembler reassembler;
  RecordingEvents events;
  const auto bytes = datagram_bytes(40);
  auto first = reassembler.add(key_a, piece(0, true), slice(bytes, 0, 16), at(1), events);
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->complete);
  auto second = reassembler.add(key_a, piece(16, true), slice(bytes, 16, 32), at(2), events);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->complete);
  auto last = reassembler.add(key_a, piece(32, false), slice(bytes, 32, 40), at(3), events);
  ASSERT_TRUE(last.ok());
  ASSERT_TRUE(last->complete);
  EXPECT_EQ(std::vector<std::uint8_t>(last->datagram.begin(), last->datagram.end()), bytes);
  EXPECT_TRUE(events.drops.empty());
  EXPECT_EQ(reassembler.counters().datagrams_completed, 1u);
  EXPECT_EQ(reassembler.counters().datagrams_pending, 0u);
}

TEST(IpFragmentReassembler, JoinsFragmentsOutOfOrder) {
  IpFragmentReassembler reassembler;
  RecordingEvents events;
  const auto bytes = datagram_bytes(40);
  EXPECT_FALSE(
      reassembler.add(key_a, piece(32, false), slice(bytes, 32, 40), at(1), events)->complete);
  EXPECT_FALSE(
      reassembler.add(key_a, piece(0, true), slice(bytes, 0, 16), at(2), events)->complete);
  const auto last = reassembler.add(key_a, piece(16, true), slice(bytes, 16, 32), at(3), events);
  ASSERT_TRUE(last.ok());
  ASSERT_TRUE(last->complete);
  EXPECT_EQ(std::vector<std::uint8_t>(last->datagram.begin(), last->datagram.end()), bytes);
}

TEST(IpFragmentReassembler, AcceptsDuplicatesAndSameContentOverlaps) {
  IpFragmentReassembler reassembler;
  RecordingEvents events;
  const auto bytes = datagram_bytes(48);
  ASSERT_TRUE(reassembler.add(key_a, piece(0, true), slice(bytes, 0, 24), at(1), events).ok());
  ASSERT_TRUE(reassembler.add(key_a, piece(0, true), slice(bytes, 0, 24), at(2), events).ok());
  ASSERT_TRUE(reassembler.add(key_a, piece(16, true), slice(bytes, 16, 40), at(3), events).ok());
  const auto last = reassembler.add(key_a, piece(40, false), slice(bytes, 40, 48), at(4), events);
  ASSERT_TRUE(last.ok());
  ASSERT_TRUE(last->complete);
  EXPECT_EQ(std::vector<std::uint8_t>(last->datagram.begin(), last->datagram.end()), bytes);
  EXPECT_TRUE(events.drops.empty());
}

TEST(IpFragmentReassembler, KeepsTheFirstBytesWhenAnOverlapDisagrees) {
  IpFragmentReassembler reassembler;
  RecordingEvents events;
  const auto bytes = datagram_bytes(32);
  auto other = bytes;
  other[20] = 0xff;
  ASSERT_TRUE(reassembler.add(key_a, piece(0, true), slice(bytes, 0, 24), at(1), events).ok());
  const auto rejected =
      reassembler.add(key_a, piece(16, false), slice(other, 16, 32), at(2), events);
  EXPECT_EQ(rejected.drop(), Drop::fragment_bad_offset);
  const auto last = reassembler.add(key_a, piece(24, false), slice(bytes, 24, 32), at(3), events);
  ASSERT_TRUE(last.ok());
  ASSERT_TRUE(last->complete);
  EXPECT_EQ(std::vector<std::uint8_t>(last->datagram.begin(), last->datagram.end()), bytes);
  EXPECT_EQ(reassembler.counters().fragments_rejected, 1u);
}

TEST(IpFragmentReassembler, RejectsALastFragmentThatMovesTheEnd) {
  IpFragmentReassembler reassembler;
  RecordingEvents events;
  const auto bytes = datagram_bytes(48);
  ASSERT_TRUE(reassembler.add(key_a, piece(32, false), slice(bytes, 32, 40), at(1), events).ok());
  EXPECT_EQ(reassembler.add(key_a, piece(40, false), slice(bytes, 40, 48), at(2), events).drop(),
            Drop::fragment_bad_offset);
  EXPECT_EQ(reassembler.add(key_a, piece(32, true), slice(bytes, 32, 48), at(3), events).drop(),
            Drop::fragment_bad_offset);
}

TEST(IpFragmentReassembler, RejectsFragmentsPastTheLargestDatagram) {
  IpFragmentReassembler reassembler;
  RecordingEvents events;
  const auto bytes = datagram_bytes(16);
  // Offset 65,528 (the largest 13-bit offset) plus 16 bytes runs past 65,535.
  EXPECT_EQ(reassembler.add(key_a, piece(65528, false), slice(bytes, 0, 16), at(1), events).drop(),
            Drop::fragment_bad_offset);
  EXPECT_EQ(reassembler.counters().datagrams_pending, 0u);
}

TEST(IpFragmentReassembler, GivesUpOnDatagramsOlderThanTheAgeLimitInCaptureTime) {
  IpFragmentReassembler reassembler;
  RecordingEvents events;
  const auto bytes = datagram_bytes(32);
  ASSERT_TRUE(reassembler.add(key_a, piece(0, true), slice(bytes, 0, 16), at(1, 100), events).ok());
  // 31 s later in capture time: the first piece is gone, the last alone cannot complete.
  const auto late =
      reassembler.add(key_a, piece(16, false), slice(bytes, 16, 32), at(2, 131), events);
  ASSERT_TRUE(late.ok());
  EXPECT_FALSE(late->complete);
  ASSERT_EQ(events.drops.size(), 1u);
  EXPECT_EQ(events.drops[0].reason, Drop::fragment_expired);
  EXPECT_EQ(events.drops[0].packet_number, 2u);
  EXPECT_EQ(reassembler.counters().datagrams_expired, 1u);
  EXPECT_EQ(reassembler.counters().datagrams_pending, 1u);
}

TEST(IpFragmentReassembler, SurvivesExtremeTimestamps) {
  IpFragmentReassembler reassembler;
  RecordingEvents events;
  const auto bytes = datagram_bytes(16);
  const PacketContext earliest{1, INT64_MIN};
  const PacketContext latest{2, INT64_MAX};
  ASSERT_TRUE(reassembler.add(key_a, piece(0, true), slice(bytes, 0, 8), earliest, events).ok());
  FragmentKey other = key_a;
  other.identification = 99;
  ASSERT_TRUE(reassembler.add(other, piece(0, true, 99), slice(bytes, 0, 8), latest, events).ok());
  EXPECT_EQ(events.counts[Drop::fragment_expired], 1u);
}

TEST(IpFragmentReassembler, EvictsTheOldestWhenTooManyArePending) {
  IpFragmentReassembler reassembler;
  RecordingEvents events;
  const auto bytes = datagram_bytes(16);
  for (std::uint32_t id = 0; id <= IpFragmentReassembler::max_pending_datagrams; ++id) {
    FragmentKey key = key_a;
    key.identification = id;
    ASSERT_TRUE(
        reassembler.add(key, piece(0, true, id), slice(bytes, 0, 8), at(id + 1), events).ok());
  }
  EXPECT_EQ(events.counts[Drop::fragment_evicted], 1u);
  EXPECT_EQ(reassembler.counters().datagrams_pending, IpFragmentReassembler::max_pending_datagrams);
  // Datagram 0 was the one given up: its last piece now starts a new datagram.
  FragmentKey first = key_a;
  first.identification = 0;
  const auto late =
      reassembler.add(first, piece(8, false, 0), slice(bytes, 8, 16), at(2000), events);
  ASSERT_TRUE(late.ok());
  EXPECT_FALSE(late->complete);
}

TEST(IpFragmentReassembler, KeepsDatagramsWithDifferentKeysApart) {
  IpFragmentReassembler reassembler;
  RecordingEvents events;
  const auto bytes = datagram_bytes(16);
  FragmentKey other = key_a;
  other.protocol = 6;
  ASSERT_TRUE(reassembler.add(key_a, piece(0, true), slice(bytes, 0, 8), at(1), events).ok());
  const auto wrong = reassembler.add(other, piece(8, false), slice(bytes, 8, 16), at(2), events);
  ASSERT_TRUE(wrong.ok());
  EXPECT_FALSE(wrong->complete);
  EXPECT_EQ(reassembler.counters().datagrams_pending, 2u);
}

TEST(IpFragmentReassembler, FinishCountsEveryPendingDatagramAsExpired) {
  IpFragmentReassembler reassembler;
  RecordingEvents events;
  const auto bytes = datagram_bytes(16);
  ASSERT_TRUE(reassembler.add(key_a, piece(0, true), slice(bytes, 0, 8), at(1), events).ok());
  reassembler.finish(at(2), events);
  EXPECT_EQ(events.counts[Drop::fragment_expired], 1u);
  EXPECT_EQ(reassembler.counters().datagrams_pending, 0u);
}

TEST(IpFragmentReassembler, StaysWithinItsBoundsUnderRandomFragments) {
  IpFragmentReassembler reassembler;
  RecordingEvents events;
  std::mt19937 random(44);
  std::vector<std::uint8_t> bytes(2000);
  for (std::uint64_t i = 1; i <= 20000; ++i) {
    FragmentKey key = key_a;
    key.identification = static_cast<std::uint32_t>(random() % 2000);
    for (auto& b : bytes) b = static_cast<std::uint8_t>(random() % 2);
    const std::size_t length = random() % bytes.size();
    const FragmentInfo fragment{true, random() % 4 != 0,
                                static_cast<std::uint32_t>(random() % 8200) * 8,
                                key.identification};
    const auto outcome = reassembler.add(key, fragment, base::Bytes(bytes).first(length),
                                         at(i, static_cast<std::int64_t>(i / 500)), events);
    if (outcome.ok() && outcome->complete) {
      ASSERT_LE(outcome->datagram.size(), IpFragmentReassembler::max_datagram_bytes);
    }
    ASSERT_LE(reassembler.counters().datagrams_pending,
              IpFragmentReassembler::max_pending_datagrams);
  }
  EXPECT_GT(events.counts[Drop::fragment_expired] + events.counts[Drop::fragment_evicted], 0u);
}

}  // namespace
}  // namespace pa::reassembly
