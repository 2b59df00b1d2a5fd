#include "app/input_pieces.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace pa::app {
namespace {

TEST(TaperingPieces, ShrinkFromAHalfWorkersShareToTheSmallestAndCoverTheWhole) {
  for (const unsigned workers : {1U, 2U, 4U, 16U}) {
    const std::uint64_t total = 1'000'000'000;
    const std::uint64_t smallest = 16 << 20;
    const auto ends = tapering_piece_ends(total, workers, smallest);
    ASSERT_FALSE(ends.empty());
    EXPECT_EQ(ends.front(), std::max<std::uint64_t>(smallest, total / (2 * workers)));
    std::uint64_t previous_end = 0;
    std::uint64_t previous_size = UINT64_MAX;
    for (const std::uint64_t end : ends) {
      ASSERT_GT(end, previous_end);
      const std::uint64_t size = end - previous_end;
      EXPECT_GE(size, smallest);
      EXPECT_LE(size, previous_size) << "workers " << workers << ", end " << end;
      previous_size = size;
      previous_end = end;
    }
    // The last piece, from the last end to the total, is no crumb and no giant.
    EXPECT_GE(total - ends.back(), smallest);
    EXPECT_LT(total - ends.back(), 2 * smallest);
  }
}

TEST(TaperingPieces, EndFarMoreFinelyThanTheyStart) {
  // -j 2 on 1 GB: the first a quarter, the last pieces the smallest.
  const auto ends = tapering_piece_ends(1'000'000'000, 2, 16 << 20);
  EXPECT_EQ(ends.front(), 250'000'000u);
  EXPECT_GE(ends.size(), 10u);
  EXPECT_EQ(ends[ends.size() - 1] - ends[ends.size() - 2], std::uint64_t{16} << 20);
}

TEST(TaperingPieces, LeaveLessThanTwoSmallestPiecesWhole) {
  EXPECT_TRUE(tapering_piece_ends(0, 2, 100).empty());
  EXPECT_TRUE(tapering_piece_ends(199, 2, 100).empty());
  EXPECT_EQ(tapering_piece_ends(200, 2, 100), (std::vector<std::uint64_t>{100}));
  // No workers and no smallest size are taken as one and one byte.
  EXPECT_EQ(tapering_piece_ends(4, 0, 0), (std::vector<std::uint64_t>{2, 3}));
}

}  // namespace
}  // namespace pa::app
