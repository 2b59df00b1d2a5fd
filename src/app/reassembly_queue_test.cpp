#include "app/reassembly_queue.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace pa::app {
namespace {

using namespace std::chrono_literals;

capture::PacketRecord record_of(const std::vector<std::uint8_t>& bytes, std::int64_t time_ns) {
  capture::PacketRecord record;
  record.timestamp_ns = time_ns;
  record.original_length = static_cast<std::uint32_t>(bytes.size() + 3);
  record.link_type = capture::LinkType::raw;
  record.interface_known = false;
  record.data = bytes;
  return record;
}

TEST(ReassemblyQueue, HandsOverEveryRecordInOrderWithItsFields) {
  ReassemblyQueue queue;
  std::thread reader([&queue] {
    for (std::uint64_t i = 1; i <= 5000; ++i) {
      const std::vector<std::uint8_t> bytes(i % 300, static_cast<std::uint8_t>(i));
      ASSERT_TRUE(queue.add_record(i, record_of(bytes, static_cast<std::int64_t>(i) * 10)));
    }
    queue.close();
  });
  std::uint64_t expected = 1;
  std::uint64_t number = 0;
  capture::PacketRecord record;
  for (;;) {
    const auto popped = queue.take_record(number, record, 1000ms);
    if (popped == ReassemblyQueue::Taken::ended) break;
    if (popped == ReassemblyQueue::Taken::waiting) continue;
    ASSERT_EQ(number, expected);
    EXPECT_EQ(record.timestamp_ns, static_cast<std::int64_t>(expected) * 10);
    EXPECT_EQ(record.data.size(), expected % 300);
    EXPECT_EQ(record.original_length, record.data.size() + 3);
    EXPECT_EQ(record.link_type, capture::LinkType::raw);
    EXPECT_FALSE(record.interface_known);
    if (!record.data.empty()) {
      EXPECT_EQ(record.data.back(), static_cast<std::uint8_t>(expected));
    }
    ++expected;
  }
  reader.join();
  EXPECT_EQ(expected, 5001u);
}

TEST(ReassemblyQueue, HoldsAReaderBackAtItsBoundAndCancelReleasesIt) {
  ReassemblyQueue queue;
  std::atomic<std::uint64_t> pushed = 0;
  std::atomic<bool> refused = false;
  std::thread reader([&] {
    const std::vector<std::uint8_t> bytes(4000, 1);
    for (std::uint64_t i = 1; i <= 100'000; ++i) {
      if (!queue.add_record(i, record_of(bytes, 0))) {
        refused = true;
        return;
      }
      ++pushed;
    }
  });
  std::this_thread::sleep_for(200ms);
  // Nothing was taken: the reader stops after chunk_limit chunks and the one it fills.
  // A chunk hands over once it holds chunk_bytes: at most that many bytes' worth of 4000-byte
  // records, rounded up.
  const std::uint64_t per_chunk = (ReassemblyQueue::chunk_bytes + 3999) / 4000;
  const std::uint64_t bound = (ReassemblyQueue::chunk_limit + 1) * per_chunk;
  EXPECT_LE(pushed.load(), bound);
  EXPECT_FALSE(refused.load());
  queue.give_up();
  reader.join();
  EXPECT_TRUE(refused.load());
  EXPECT_TRUE(queue.given_up());
}

TEST(ReassemblyQueue, SaysWaitingWhenNothingCameAndEndedOnceClosed) {
  ReassemblyQueue queue;
  std::uint64_t number = 0;
  capture::PacketRecord record;
  EXPECT_EQ(queue.take_record(number, record, 10ms), ReassemblyQueue::Taken::waiting);
  queue.close();
  EXPECT_EQ(queue.take_record(number, record, 10ms), ReassemblyQueue::Taken::ended);
}

TEST(ReassemblyQueue, FillsTheChunksTheStageReadAgainAcrossQueues) {
  ChunkPool pool;
  const std::vector<std::uint8_t> bytes(1000, 7);
  std::uint64_t number = 0;
  capture::PacketRecord record;
  std::uint64_t taken = 0;
  // Two pieces in turn, as the stage takes them: the second's chunks are the first's.
  for (int piece = 0; piece < 2; ++piece) {
    ReassemblyQueue queue(&pool);
    std::uint64_t added = 0;
    // Enough for several chunks, fewer than chunk_limit: nothing waits.
    while (added * 1040 < 3 * ReassemblyQueue::chunk_bytes) {
      ASSERT_TRUE(queue.add_record(++added, record_of(bytes, 1)));
    }
    queue.close();
    std::uint64_t expected = 1;
    while (queue.take_record(number, record, 1000ms) == ReassemblyQueue::Taken::record) {
      ASSERT_EQ(number, expected++);
      ASSERT_EQ(record.data.size(), bytes.size());
      ++taken;
    }
    EXPECT_EQ(expected, added + 1);
  }
  EXPECT_GT(taken, 0u);
  // The chunks read went back to the pool: a spare has its capacity, a new one asked for 0 has
  // none. A piece used at least three.
  std::vector<std::vector<std::uint8_t>> held;
  std::size_t spares = 0;
  for (std::size_t i = 0; i < ChunkPool::kept + 1; ++i) {
    held.push_back(pool.take(0));
    EXPECT_TRUE(held.back().empty());
    if (held.back().capacity() >= ReassemblyQueue::chunk_capacity) ++spares;
  }
  EXPECT_GE(spares, 3u);
  EXPECT_LE(spares, ChunkPool::kept);
}

TEST(ChunkPool, GivesBackTheBufferItWasGivenAndKeepsABoundedNumber) {
  ChunkPool pool;
  std::vector<std::uint8_t> chunk = pool.take(4096);
  chunk.assign(100, 1);
  const std::uint8_t* bytes = chunk.data();
  pool.give(std::move(chunk));
  const auto again = pool.take(4096);
  EXPECT_EQ(again.data(), bytes);
  EXPECT_TRUE(again.empty());
  EXPECT_GE(again.capacity(), 4096u);

  std::vector<const std::uint8_t*> given;
  for (std::size_t i = 0; i < ChunkPool::kept + 3; ++i) {
    auto more = pool.take(64);
    more.push_back(1);
    given.push_back(more.data());
    pool.give(std::move(more));
    // Each given right back: the same one comes out again.
  }
  EXPECT_EQ(given.front(), given.back());
  std::vector<std::vector<std::uint8_t>> out;
  for (std::size_t i = 0; i < ChunkPool::kept + 3; ++i) out.push_back(pool.take(64));
  for (auto& buffer : out) pool.give(std::move(buffer));
  std::size_t kept_now = 0;
  for (std::size_t i = 0; i < ChunkPool::kept + 3; ++i) {
    auto buffer = pool.take(0);
    if (buffer.capacity() > 0) ++kept_now;
    out[i] = std::move(buffer);
  }
  EXPECT_EQ(kept_now, ChunkPool::kept);
}

}  // namespace
}  // namespace pa::app
