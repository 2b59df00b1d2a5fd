#include "app/record_chunk.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace pa::app {
namespace {

TEST(RecordChunk, GivesBackEveryRecordInOrderWithItsFields) {
  const std::vector<std::uint8_t> first_bytes{1, 2, 3, 4, 5};
  capture::PacketRecord first;
  first.timestamp_ns = -42;
  first.original_length = 1500;
  first.link_type = capture::LinkType::ethernet;
  first.interface_known = true;
  first.data = first_bytes;
  capture::PacketRecord empty;  // no bytes, unknown interface
  empty.timestamp_ns = 7;
  empty.interface_known = false;

  std::vector<std::uint8_t> chunk;
  append_chunk_record(chunk, 3, first);
  append_chunk_record(chunk, 9, empty);

  std::size_t at = 0;
  std::uint64_t number = 0;
  capture::PacketRecord read;
  ASSERT_EQ(read_chunk_record(chunk, at, number, read), ChunkRead::record);
  EXPECT_EQ(number, 3u);
  EXPECT_EQ(read.timestamp_ns, -42);
  EXPECT_EQ(read.original_length, 1500u);
  EXPECT_EQ(read.link_type, capture::LinkType::ethernet);
  EXPECT_TRUE(read.interface_known);
  EXPECT_EQ(std::vector<std::uint8_t>(read.data.begin(), read.data.end()), first_bytes);
  ASSERT_EQ(read_chunk_record(chunk, at, number, read), ChunkRead::record);
  EXPECT_EQ(number, 9u);
  EXPECT_EQ(read.timestamp_ns, 7);
  EXPECT_FALSE(read.interface_known);
  EXPECT_TRUE(read.data.empty());
  EXPECT_EQ(read_chunk_record(chunk, at, number, read), ChunkRead::end);
}

TEST(RecordChunk, RefusesAChunkCutInAHeaderOrInTheBytes) {
  const std::vector<std::uint8_t> bytes(100, 0xab);
  capture::PacketRecord record;
  record.data = bytes;
  std::vector<std::uint8_t> whole;
  append_chunk_record(whole, 1, record);
  for (std::size_t cut = 1; cut < whole.size(); ++cut) {
    const std::vector<std::uint8_t> chunk(whole.begin(), whole.begin() + static_cast<long>(cut));
    std::size_t at = 0;
    std::uint64_t number = 0;
    capture::PacketRecord read;
    EXPECT_EQ(read_chunk_record(chunk, at, number, read), ChunkRead::cut_short) << cut;
    EXPECT_EQ(at, 0u) << "nothing consumed";
  }
}

}  // namespace
}  // namespace pa::app
