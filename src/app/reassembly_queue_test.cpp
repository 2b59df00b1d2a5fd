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
  const std::uint64_t bound =
      (ReassemblyQueue::chunk_limit + 1) * ReassemblyQueue::chunk_bytes / 4000 + 1;
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

}  // namespace
}  // namespace pa::app
