#include "capture/input_buffer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <stdexcept>
#include <vector>

namespace pa::capture {
namespace {

using Bytes = std::vector<std::uint8_t>;

enum class Ending { end, fail, throw_exception };

// Bytes in memory, handed out at most `step` at a time; at the end the stream ends, fails or
// throws.
class MemorySource : public ByteSource {
 public:
  MemorySource(Bytes bytes, std::size_t step, Ending ending = Ending::end)
      : bytes_(std::move(bytes)), step_(step), ending_(ending) {}

  std::size_t read(std::span<std::uint8_t> into) override {
    if (position_ == bytes_.size()) {
      if (ending_ == Ending::fail) error_ = "read failed (Input/output error)";
      if (ending_ == Ending::throw_exception) throw std::runtime_error("the source threw");
      return 0;
    }
    const std::size_t n = std::min({into.size(), step_, bytes_.size() - position_});
    std::copy_n(bytes_.begin() + static_cast<std::ptrdiff_t>(position_), n, into.begin());
    position_ += n;
    return n;
  }

 private:
  Bytes bytes_;
  std::size_t position_ = 0;
  std::size_t step_;
  Ending ending_;
};

Bytes random_bytes(std::size_t size, unsigned seed) {
  std::mt19937 random(seed);
  Bytes bytes(size);
  for (std::uint8_t& byte : bytes) byte = static_cast<std::uint8_t>(random());
  return bytes;
}

InputBuffer buffer_over(const Bytes& bytes, std::size_t capacity, std::size_t step,
                        Ending ending = Ending::end) {
  return InputBuffer(std::make_unique<MemorySource>(bytes, step, ending), capacity);
}

// Walks records of the given sizes the way the readers do (a header first, then the whole
// record) and checks each against the source's bytes.
void expect_records(InputBuffer& input, const Bytes& bytes, const std::vector<std::size_t>& sizes) {
  std::size_t offset = 0;
  for (const std::size_t size : sizes) {
    ASSERT_TRUE(input.ensure(std::min<std::size_t>(size, 4)));
    ASSERT_TRUE(input.ensure(size)) << "record at " << offset << " of " << size << " bytes";
    ASSERT_EQ(input.offset(), offset);
    ASSERT_GE(input.available(), size);
    ASSERT_TRUE(std::equal(input.data(), input.data() + size, bytes.begin() + offset))
        << "record at " << offset;
    input.consume(size);
    offset += size;
  }
}

TEST(InputBuffer, HandsOutEveryRecordIntactWhateverTheChunkAndReadSizes) {
  std::mt19937 random(7);
  std::vector<std::size_t> sizes;
  std::size_t total = 0;
  while (total < 40'000) {
    // Mostly small records, some far larger than the small capacities below (and their
    // headroom), some empty.
    const std::size_t size = random() % 8 == 0 ? random() % 3000 : random() % 200;
    sizes.push_back(size);
    total += size;
  }
  const Bytes bytes = random_bytes(total, 1);
  for (const std::size_t capacity : {16, 64, 1000, 65536}) {
    for (const std::size_t step : {1, 7, 4096}) {
      SCOPED_TRACE(testing::Message() << "capacity " << capacity << ", step " << step);
      InputBuffer input = buffer_over(bytes, capacity, step);
      expect_records(input, bytes, sizes);
      EXPECT_FALSE(input.ensure(1));
      EXPECT_EQ(input.available(), 0U);
      EXPECT_EQ(input.offset(), total);
    }
  }
}

TEST(InputBuffer, SaysNoAtTheEndWithTheRemainingBytesStillAvailable) {
  const Bytes bytes = random_bytes(100, 2);
  InputBuffer input = buffer_over(bytes, 32, 5);
  ASSERT_TRUE(input.ensure(60));
  input.consume(60);
  EXPECT_FALSE(input.ensure(50));
  ASSERT_EQ(input.available(), 40U);
  EXPECT_TRUE(std::equal(input.data(), input.data() + 40, bytes.begin() + 60));
  EXPECT_FALSE(input.ensure(41));
  EXPECT_TRUE(input.ensure(40));
  EXPECT_TRUE(input.source().error().empty());
}

TEST(InputBuffer, HandsOutTheBytesBeforeAFailureThenTheFailure) {
  const Bytes bytes = random_bytes(5000, 3);
  InputBuffer input = buffer_over(bytes, 1024, 100, Ending::fail);
  expect_records(input, bytes, {1000, 3000, 999});
  EXPECT_FALSE(input.ensure(2));
  EXPECT_EQ(input.available(), 1U);
  EXPECT_EQ(input.source().error(), "read failed (Input/output error)");
}

TEST(InputBuffer, ThrowsWhatTheSourceThrewOnlyWhenMoreBytesAreNeeded) {
  const Bytes bytes = random_bytes(3000, 4);
  InputBuffer input = buffer_over(bytes, 1024, 300, Ending::throw_exception);
  expect_records(input, bytes, {2000, 999});
  EXPECT_THROW(input.ensure(2), std::runtime_error);
}

TEST(InputBuffer, RecordsLargerThanTheBufferComeWhole) {
  const Bytes bytes = random_bytes(200'000, 5);
  InputBuffer input = buffer_over(bytes, 1000, 333);
  // Oversized records in a row, a small one between them, then one ending exactly at the end.
  expect_records(input, bytes, {10, 50'000, 70'000, 3, 2500, 67'487, 10'000});
  EXPECT_FALSE(input.ensure(1));
}

TEST(InputBuffer, KeepsReadingAfterBeingMoved) {
  const Bytes bytes = random_bytes(50'000, 7);
  InputBuffer first = buffer_over(bytes, 1000, 700);
  expect_records(first, bytes, {1500});
  InputBuffer moved(std::move(first));
  ASSERT_TRUE(moved.ensure(20'000));
  EXPECT_EQ(moved.offset(), 1500U);
  EXPECT_TRUE(std::equal(moved.data(), moved.data() + 20'000, bytes.begin() + 1500));
}

}  // namespace
}  // namespace pa::capture
