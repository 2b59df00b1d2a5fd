#include "capture/capture_merger.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "capture/capture_writer.hpp"
#include "tests/support/temp_dir.hpp"

namespace pa::capture {
namespace {

// A capture in memory: records (timestamp, one-byte tag) handed out from one buffer that the
// next call overwrites, so that a merger holding on to a stale record would see it change.
class ListReader final : public CaptureReader {
 public:
  ListReader(std::string name, std::vector<std::pair<std::int64_t, std::uint8_t>> records,
             std::optional<ReadProblem> problem = std::nullopt)
      : name_(std::move(name)), records_(std::move(records)), final_problem_(std::move(problem)) {}

  bool next(PacketRecord& record) override {
    ++calls_;
    buffer_ = 0xEE;  // whatever was handed out before is now invalid
    if (position_ == records_.size()) {
      problem_ = final_problem_;
      return false;
    }
    const auto& [timestamp, tag] = records_[position_++];
    buffer_ = tag;
    record.timestamp_ns = timestamp;
    record.original_length = 1;
    record.link_type = LinkType::raw;
    record.interface_known = true;
    record.data = {&buffer_, 1};
    return true;
  }
  [[nodiscard]] const std::optional<ReadProblem>& problem() const noexcept override {
    return problem_;
  }
  [[nodiscard]] std::uint64_t bytes_read() const noexcept override { return position_; }
  [[nodiscard]] bool decompressed() const noexcept override { return false; }
  [[nodiscard]] const std::string& path() const noexcept override { return name_; }
  [[nodiscard]] int calls() const noexcept { return calls_; }

 private:
  std::string name_;
  std::vector<std::pair<std::int64_t, std::uint8_t>> records_;
  std::optional<ReadProblem> final_problem_;
  std::optional<ReadProblem> problem_;
  std::size_t position_ = 0;
  std::uint8_t buffer_ = 0;
  int calls_ = 0;
};

// Merges and returns (file index, tag) per record, the tag read while the record is current.
std::vector<std::pair<std::size_t, int>> merge(
    std::vector<std::vector<std::pair<std::int64_t, std::uint8_t>>> files) {
  std::vector<std::unique_ptr<CaptureReader>> readers;
  for (std::size_t i = 0; i < files.size(); ++i) {
    readers.push_back(std::make_unique<ListReader>("f" + std::to_string(i), std::move(files[i])));
  }
  CaptureMerger merger(std::move(readers));
  std::vector<std::pair<std::size_t, int>> order;
  PacketRecord record;
  while (merger.next(record)) {
    EXPECT_EQ(record.data.size(), 1u);
    order.emplace_back(merger.file_index(), record.data[0]);
  }
  return order;
}

using Order = std::vector<std::pair<std::size_t, int>>;

TEST(CaptureMerger, InterleavesFilesByTimestamp) {
  EXPECT_EQ(merge({{{10, 1}, {30, 2}, {50, 3}}, {{20, 4}, {40, 5}, {60, 6}}}),
            (Order{{0, 1}, {1, 4}, {0, 2}, {1, 5}, {0, 3}, {1, 6}}));
}

TEST(CaptureMerger, GivesATieToTheFileNamedFirst) {
  // Unlike mergecap, which breaks ties the other way (SPEC, "Input and processing order").
  EXPECT_EQ(merge({{{10, 1}, {20, 2}}, {{10, 3}, {20, 4}}}),
            (Order{{0, 1}, {1, 3}, {0, 2}, {1, 4}}));
  EXPECT_EQ(merge({{{10, 3}}, {{10, 1}}, {{10, 2}}}), (Order{{0, 3}, {1, 1}, {2, 2}}));
}

TEST(CaptureMerger, KeepsEachFilesOwnOrderWhenItsTimeGoesBackwards) {
  // File 0 goes back from 50 to 15: its records stay in their order, and file 1's record at
  // 20 waits for file 0's head (50) only while that head is the earlier.
  EXPECT_EQ(merge({{{10, 1}, {50, 2}, {15, 3}, {60, 4}}, {{20, 5}, {55, 6}}}),
            (Order{{0, 1}, {1, 5}, {0, 2}, {0, 3}, {1, 6}, {0, 4}}));
}

TEST(CaptureMerger, PassesOneFileThroughInRecordOrder) {
  EXPECT_EQ(merge({{{30, 1}, {10, 2}, {20, 3}, {20, 4}}}), (Order{{0, 1}, {0, 2}, {0, 3}, {0, 4}}));
}

TEST(CaptureMerger, MergesThreeFilesWithEmptyOnesAmongThem) {
  EXPECT_EQ(merge({{{5, 1}, {25, 2}}, {}, {{5, 3}, {15, 4}, {35, 5}}, {{-10, 6}}}),
            (Order{{3, 6}, {0, 1}, {2, 3}, {2, 4}, {0, 2}, {2, 5}}));
  EXPECT_TRUE(merge({}).empty());
  EXPECT_TRUE(merge({{}, {}}).empty());
}

TEST(CaptureMerger, AdvancesOnlyTheFileWhoseRecordWasTaken) {
  std::vector<std::unique_ptr<CaptureReader>> readers;
  readers.push_back(std::make_unique<ListReader>(
      "a", std::vector<std::pair<std::int64_t, std::uint8_t>>{{1, 1}, {2, 2}, {3, 3}}));
  readers.push_back(std::make_unique<ListReader>(
      "b", std::vector<std::pair<std::int64_t, std::uint8_t>>{{10, 4}}));
  const auto* b = static_cast<const ListReader*>(readers[1].get());
  CaptureMerger merger(std::move(readers));
  PacketRecord record;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(merger.next(record));
    EXPECT_EQ(b->calls(), 1);  // b's first record waits, untouched
  }
  ASSERT_TRUE(merger.next(record));
  EXPECT_EQ(record.data[0], 4);
  EXPECT_FALSE(merger.next(record));
}

TEST(CaptureMerger, CollectsEveryFilesProblemInFileOrder) {
  std::vector<std::unique_ptr<CaptureReader>> readers;
  readers.push_back(std::make_unique<ListReader>(
      "a", std::vector<std::pair<std::int64_t, std::uint8_t>>{{1, 1}}, ReadProblem{7, "a: cut"}));
  readers.push_back(std::make_unique<ListReader>(
      "b", std::vector<std::pair<std::int64_t, std::uint8_t>>{{2, 2}}));
  readers.push_back(std::make_unique<ListReader>(
      "c", std::vector<std::pair<std::int64_t, std::uint8_t>>{}, ReadProblem{9, "c: bad"}));
  CaptureMerger merger(std::move(readers));
  PacketRecord record;
  while (merger.next(record)) {
  }
  const auto problems = merger.problems();
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].message, "a: cut");
  EXPECT_EQ(problems[1].message, "c: bad");
  EXPECT_EQ(merger.file_count(), 3u);
  EXPECT_EQ(merger.reader(1).path(), "b");
}

TEST(CaptureMerger, MergesRealFilesWhoseRecordsLiveInTheirReadersBuffers) {
  // Two files written with interleaved times; each record's bytes name its file and number,
  // and must still be intact when handed out.
  test::TempDir dir;
  for (const CaptureFormat format : {CaptureFormat::pcap_ns, CaptureFormat::pcapng}) {
    std::vector<std::string> paths;
    for (int file = 0; file < 2; ++file) {
      paths.push_back(dir.file("m" + std::to_string(file)));
      auto writer = CaptureWriter::create(paths.back(), format, LinkType::raw);
      for (int i = 0; i < 20000; ++i) {
        std::vector<std::uint8_t> bytes(static_cast<std::size_t>(64 + i % 200),
                                        static_cast<std::uint8_t>(file));
        bytes[1] = static_cast<std::uint8_t>(i);
        writer->write(std::int64_t{i} * 2 + file, bytes, LinkType::raw);
      }
    }
    std::vector<std::unique_ptr<CaptureReader>> readers;
    for (const auto& path : paths) readers.push_back(CaptureReader::open(path));
    CaptureMerger merger(std::move(readers));
    PacketRecord record;
    std::int64_t expected_time = 0;
    while (merger.next(record)) {
      const auto file = static_cast<std::uint8_t>(expected_time % 2);
      const auto i = static_cast<std::uint8_t>(expected_time / 2);
      ASSERT_EQ(record.timestamp_ns, expected_time);
      ASSERT_EQ(merger.file_index(), file);
      ASSERT_EQ(record.data[0], file);
      ASSERT_EQ(record.data[1], i);
      ASSERT_EQ(record.data.back(), file);
      ++expected_time;
    }
    EXPECT_EQ(expected_time, 40000);
    EXPECT_TRUE(merger.problems().empty());
  }
}

}  // namespace
}  // namespace pa::capture
