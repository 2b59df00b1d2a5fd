#include "capture/pcap_range.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/capture_bytes.hpp"
#include "tests/support/temp_dir.hpp"

namespace pa::capture {
namespace {

using test::CaptureBytes;

struct Written {
  std::string path;
  std::vector<std::uint64_t> starts;  // each record's offset
  std::uint64_t size = 0;
};

// A pcap of `count` records of 100..(100 + count % 200) bytes of 0xEE.
Written write_pcap(const test::TempDir& dir, int count, std::uint16_t minor = 4) {
  CaptureBytes c{false};
  c.pcap_header(1, 0xA1B2C3D4, 2, minor);
  Written w;
  for (int i = 0; i < count; ++i) {
    w.starts.push_back(c.bytes().size());
    const std::vector<std::uint8_t> data(100 + static_cast<std::size_t>(i % 200), 0xEE);
    c.pcap_record(1'700'000'000 + static_cast<std::uint32_t>(i), 0, data,
                  static_cast<std::uint32_t>(data.size()));
  }
  w.path = dir.file("split" + std::to_string(count) + "-" + std::to_string(minor) + ".pcap");
  test::write_whole_file(w.path, c.bytes());
  w.size = c.bytes().size();
  return w;
}

std::vector<std::int64_t> seconds_in(CaptureReader& reader) {
  std::vector<std::int64_t> seconds;
  PacketRecord record;
  while (reader.next(record)) seconds.push_back(record.timestamp_ns / 1'000'000'000);
  return seconds;
}

TEST(PcapSplit, PlansStartsThatAreRecordStartsInAscendingOrder) {
  const test::TempDir dir;
  const Written w = write_pcap(dir, 20'000);
  const PcapSplitPlan plan = plan_pcap_split(w.path, 8, 64 << 10);
  ASSERT_EQ(plan.starts.size(), 8u);
  EXPECT_EQ(plan.starts.front(), 24u);
  EXPECT_EQ(plan.bytes_in_file, w.size);
  for (std::size_t i = 1; i < plan.starts.size(); ++i) {
    EXPECT_GT(plan.starts[i], plan.starts[i - 1]);
    EXPECT_TRUE(std::binary_search(w.starts.begin(), w.starts.end(), plan.starts[i]))
        << plan.starts[i];
  }
}

TEST(PcapSplit, KeepsASmallFileAndAnOldVersionWhole) {
  const test::TempDir dir;
  EXPECT_EQ(plan_pcap_split(write_pcap(dir, 50).path, 8, 64 << 10).starts.size(), 1u);
  EXPECT_EQ(plan_pcap_split(write_pcap(dir, 20'000, 3).path, 8, 64 << 10).starts.size(), 0u);
  EXPECT_TRUE(plan_pcap_split("-", 8, 1).starts.empty());
}

TEST(PcapRange, ReadsTheRecordsStartingInItsRangeAndEndsWhereTheLastOneEnds) {
  const test::TempDir dir;
  const Written w = write_pcap(dir, 1000);
  // From record 10 to a point inside record 500: records 10..500 (500 starts before the end).
  const auto reader = open_pcap_range(w.path, w.starts[10], w.starts[500] + 3);
  const auto seconds = seconds_in(*reader);
  ASSERT_EQ(seconds.size(), 491u);
  EXPECT_EQ(seconds.front(), 1'700'000'010);
  EXPECT_EQ(seconds.back(), 1'700'000'500);
  EXPECT_EQ(reader->bytes_read(), w.starts[501]);
  EXPECT_FALSE(reader->problem());
}

TEST(PcapRange, NamesTheFileOffsetOfACutShortLastRecord) {
  const test::TempDir dir;
  Written w = write_pcap(dir, 100);
  std::filesystem::resize_file(w.path, w.size - 5);
  const auto reader = open_pcap_range(w.path, w.starts[90], UINT64_MAX);
  EXPECT_EQ(seconds_in(*reader).size(), 9u);
  ASSERT_TRUE(reader->problem());
  EXPECT_EQ(reader->problem()->offset, w.starts[99]);
  EXPECT_NE(reader->problem()->message.find("at byte " + std::to_string(w.starts[99])),
            std::string::npos)
      << reader->problem()->message;
}

TEST(PcapRange, RefusesAFileThatIsMissing) {
  EXPECT_THROW(open_pcap_range("/nonexistent/x.pcap", 24, 100), CaptureError);
}

}  // namespace
}  // namespace pa::capture
