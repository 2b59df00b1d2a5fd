#include "base/byte_reader.hpp"

#include <gtest/gtest.h>

#include <array>

namespace pa::base {
namespace {

TEST(ByteReader, ReadsNetworkOrderFields) {
  const std::array<std::uint8_t, 7> bytes{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07};
  ByteReader r{bytes};
  EXPECT_EQ(r.u8(), 0x01);
  EXPECT_EQ(r.u16(), 0x0203);
  EXPECT_EQ(r.u32(), 0x04050607u);
  EXPECT_FALSE(r.failed());
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(ByteReader, ReadsLittleEndianFields) {
  const std::array<std::uint8_t, 6> bytes{0x01, 0x02, 0x03, 0x04, 0x05, 0x06};
  ByteReader r{bytes};
  EXPECT_EQ(r.u16(Endian::little), 0x0201);
  EXPECT_EQ(r.u32(Endian::little), 0x06050403u);
}

TEST(ByteReader, FailsForGoodOnFirstReadPastTheEnd) {
  const std::array<std::uint8_t, 3> bytes{0xAA, 0xBB, 0xCC};
  ByteReader r{bytes};
  EXPECT_EQ(r.u16(), 0xAABB);
  EXPECT_EQ(r.u16(), 0);  // only one byte left
  EXPECT_TRUE(r.failed());
  EXPECT_EQ(r.position(), 2u);
  EXPECT_EQ(r.u8(), 0);  // stays failed even though a byte remains
  EXPECT_TRUE(r.bytes(1).empty());
}

TEST(ByteReader, RejectsHugeLengthsWithoutWrapping) {
  const std::array<std::uint8_t, 4> bytes{};
  ByteReader r{bytes};
  r.skip(2);
  r.skip(static_cast<std::size_t>(-1));
  EXPECT_TRUE(r.failed());
  EXPECT_EQ(r.position(), 2u);
}

TEST(ByteReader, SeekPastTheEndFails) {
  const std::array<std::uint8_t, 4> bytes{};
  ByteReader r{bytes};
  r.seek(4);
  EXPECT_FALSE(r.failed());
  r.seek(5);
  EXPECT_TRUE(r.failed());
}

TEST(ByteReader, Reads64BitFieldsInBothOrders) {
  const std::array<std::uint8_t, 8> bytes{1, 2, 3, 4, 5, 6, 7, 8};
  ByteReader big{bytes};
  EXPECT_EQ(big.u64(), 0x0102030405060708ULL);
  ByteReader little{bytes};
  EXPECT_EQ(little.u64(Endian::little), 0x0807060504030201ULL);
}

}  // namespace
}  // namespace pa::base
