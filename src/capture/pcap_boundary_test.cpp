#include "capture/pcap_boundary.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "capture/capture_reader.hpp"
#include "tests/support/capture_bytes.hpp"

namespace pa::capture {
namespace {

using test::CaptureBytes;

// Payload bytes of `n` bytes, none of which starts a plausible record header chain.
std::vector<std::uint8_t> payload(std::size_t n, std::uint8_t fill = 0xEE) {
  return std::vector<std::uint8_t>(n, fill);
}

// A pcap of `count` records of 60..(60 + count) bytes, and the offset of each record.
struct Built {
  std::vector<std::uint8_t> bytes;
  std::vector<std::size_t> starts;
};

Built build(bool big_endian, int count, const std::vector<std::uint8_t>* special = nullptr,
            int special_at = -1) {
  CaptureBytes c{big_endian};
  c.pcap_header(1);
  Built b;
  for (int i = 0; i < count; ++i) {
    b.starts.push_back(c.bytes().size());
    const auto data = i == special_at ? *special : payload(60 + static_cast<std::size_t>(i));
    c.pcap_record(1'700'000'000 + static_cast<std::uint32_t>(i),
                  1000 * static_cast<std::uint32_t>(i), data,
                  static_cast<std::uint32_t>(data.size()) + 10);
  }
  b.bytes = c.bytes();
  return b;
}

PcapRecordLayout layout_of(const Built& b) { return *pcap_record_layout(b.bytes); }

// What a guess from `from` should be when every chain it meets is real: the second record at
// or after `from`; nullopt when fewer than two records are left.
std::optional<std::size_t> expected_guess(const std::vector<std::size_t>& starts,
                                          std::size_t from) {
  const auto next = std::lower_bound(starts.begin(), starts.end(), from);
  if (next == starts.end() || next + 1 == starts.end()) return std::nullopt;
  return *(next + 1);
}

TEST(PcapBoundary, ReadsTheLayoutOfEitherByteOrderAndRefusesOtherMagic) {
  const auto little = layout_of(build(false, 1));
  const auto big = layout_of(build(true, 1));
  EXPECT_NE(little.swapped, big.swapped);
  EXPECT_EQ(little.snap_length, 65535u);
  EXPECT_EQ(big.snap_length, 65535u);
  EXPECT_EQ(little.record_header_size, 16u);
  std::vector<std::uint8_t> not_pcap(24, 0);
  EXPECT_FALSE(pcap_record_layout(not_pcap));
  const Built one = build(false, 1);
  EXPECT_FALSE(pcap_record_layout(std::span(one.bytes).first(23)));
}

TEST(PcapBoundary, GuessesTheSecondRecordStartFromAnyPointInsideARecord) {
  for (const bool big_endian : {false, true}) {
    const Built b = build(big_endian, 40);
    const auto layout = layout_of(b);
    for (std::size_t from = 24; from <= b.starts.back(); from += 7) {
      EXPECT_EQ(find_pcap_record_start(b.bytes, from, layout, true), expected_guess(b.starts, from))
          << "from " << from << (big_endian ? " big" : " little");
    }
  }
}

TEST(PcapBoundary, AChainMayEndAtTheEndOfTheFileButNotAtTheEndOfAWindow) {
  const Built b = build(false, 3);
  const auto layout = layout_of(b);
  const auto at_end = find_pcap_record_start(b.bytes, b.starts[1], layout, true);
  ASSERT_TRUE(at_end);
  EXPECT_EQ(*at_end, b.starts[2]);
  // The last record alone is too short a chain to trust.
  EXPECT_FALSE(find_pcap_record_start(b.bytes, b.starts[2], layout, true));
  EXPECT_FALSE(find_pcap_record_start(b.bytes, b.starts[1], layout, false));
}

TEST(PcapBoundary, PassesOverAPayloadThatHoldsOneLookalikeRecordHeader) {
  // Record 5's payload starts with bytes shaped as a record header announcing 8 bytes: alone
  // it looks right, but the chain after it lands in the middle of nowhere.
  CaptureBytes fake;
  fake.u32(1'700'000'005).u32(5).u32(8).u32(8).zeros(8).u32(0xFFFFFFFF).zeros(40);
  const std::vector<std::uint8_t> special = fake.bytes();
  const Built b = build(false, 20, &special, 5);
  const auto found = find_pcap_record_start(b.bytes, b.starts[5] + 16, layout_of(b), true);
  ASSERT_TRUE(found);
  EXPECT_EQ(*found, b.starts[7]);
}

TEST(PcapBoundary, AWholeLookalikeChainInAPayloadIsTakenSoTheCallerMustConfirmIt) {
  // A payload that is itself a pcap record chain (a capture file carried over HTTP, say)
  // cannot be told from the real thing by its bytes: the guess lands inside the payload, and
  // only the reader of the range before, ending elsewhere, shows that it was wrong.
  CaptureBytes inner;
  for (int i = 0; i < 9; ++i) inner.pcap_record(1'700'000'003, 1, payload(20), 20);
  const std::vector<std::uint8_t> special = inner.bytes();
  const Built b = build(false, 12, &special, 3);
  const auto found = find_pcap_record_start(b.bytes, b.starts[3] + 16, layout_of(b), true);
  ASSERT_TRUE(found);
  EXPECT_EQ(*found, b.starts[3] + 16 + 36);
  EXPECT_TRUE(std::find(b.starts.begin(), b.starts.end(), *found) == b.starts.end());
}

TEST(PcapBoundary, RejectsFractionsAndLengthsThatNoRecordHeaderHas) {
  const Built b = build(false, 20);
  auto layout = layout_of(b);
  // A snap length of 50 rules out every record (their payloads are 60 bytes and more).
  layout.snap_length = 50;
  EXPECT_FALSE(find_pcap_record_start(b.bytes, b.starts[2], layout, true));
  // Nanosecond limits accept what microsecond files hold; a limit of 1 rejects fractions.
  layout = layout_of(b);
  layout.fraction_limit = 1;
  EXPECT_FALSE(find_pcap_record_start(b.bytes, b.starts[2], layout, true));
  // Zeros are no record (an original length of 0), nor is a reading four bytes on from a
  // record whose fraction is 0: its lengths would be a fraction and a captured length, and
  // the payload's first bytes (0xEEEEEEEE) an original length over 64 MiB.
  CaptureBytes c;
  c.pcap_header(1);
  std::vector<std::size_t> starts;
  c.zeros(400);
  for (int i = 0; i < 10; ++i) {
    starts.push_back(c.bytes().size());
    c.pcap_record(1'700'000'000, 0, payload(30), 30);
  }
  const auto found = find_pcap_record_start(c.bytes(), 24, *pcap_record_layout(c.bytes()), true);
  ASSERT_TRUE(found);
  EXPECT_EQ(*found, starts[1]);
  const auto shifted =
      find_pcap_record_start(c.bytes(), starts[1] + 1, *pcap_record_layout(c.bytes()), true);
  ASSERT_TRUE(shifted);
  EXPECT_EQ(*shifted, starts[3]);
}

TEST(PcapBoundary, AgreesWithTheReaderOnAGeneratedCaptureAtEverySplitPoint) {
  const Built b = build(true, 300);
  const auto layout = layout_of(b);
  for (std::size_t from = 24; from < b.bytes.size(); from += 13) {
    EXPECT_EQ(find_pcap_record_start(b.bytes, from, layout, true), expected_guess(b.starts, from))
        << "from " << from;
  }
}

// Every real classic pcap, split at every 1/64 of its size: the guess is a record start at or
// after the split point, as a walk of the file from its start finds them. (Lookalikes exist
// in real payloads: zeek__dns_dns-invalid-names.pcap has one that chains into the real
// records, which is why the guess is a chain's second record.)
TEST(PcapBoundary, FindsTheRecordStartsOfEveryRealCaptureAtEverySplitPoint) {
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(PA_SHARED_DIR "/corpus/real")) {
    std::ifstream in{entry.path(), std::ios::binary};
    const std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>{in}, {}};
    const auto layout = pcap_record_layout(bytes);
    if (!layout || layout->record_header_size != 16) continue;
    // Version 2.3 and older may swap the lengths (pcap_reader.hpp); none is in the corpus.
    ASSERT_GE(bytes[layout->swapped ? 7 : 6], 4) << entry.path();
    std::vector<std::size_t> starts;
    for (std::size_t at = 24; at + 16 <= bytes.size();) {
      starts.push_back(at);
      std::uint32_t captured;
      std::memcpy(&captured, bytes.data() + at + 8, 4);
      if (layout->swapped) captured = __builtin_bswap32(captured);
      at += 16 + captured;
    }
    ++files;
    for (int k = 1; k < 64; ++k) {
      const std::size_t from = 24 + (bytes.size() - 24) * static_cast<std::size_t>(k) / 64;
      const auto found = find_pcap_record_start(bytes, from, *layout, true);
      // Near the end, where fewer than two records are left, a guess may still be found (a
      // lookalike that chains into the last record); any guess is a real start here.
      if (expected_guess(starts, from)) {
        ASSERT_TRUE(found) << entry.path() << " from " << from;
      }
      if (found) {
        EXPECT_GE(*found, from) << entry.path();
        EXPECT_TRUE(std::binary_search(starts.begin(), starts.end(), *found))
            << entry.path() << " from " << from << ": " << *found << " starts no record";
      }
    }
  }
  EXPECT_GT(files, 30);
}

}  // namespace
}  // namespace pa::capture
