#include "stream/warning_limiter.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pa::stream {
namespace {

using namespace std::chrono_literals;

TEST(WarningLimiter, SaysEachKindAtMostOnceASecondWithTheCountHeldBack) {
  std::vector<std::string> said;
  WarningLimiter limiter([&](std::string_view line) { said.emplace_back(line); });
  const auto start = WarningLimiter::Clock::now();
  // 150,000 accept errors within half a second: one line.
  for (int i = 0; i < 150'000; ++i) {
    limiter.warn("accept", "cannot accept a connection: Too many open files",
                 start + std::chrono::microseconds(i * 3));
  }
  limiter.warn("peer", "dropped the peer at 127.0.0.1:4000: garbage", start + 10ms);
  ASSERT_EQ(said.size(), 2u);
  EXPECT_EQ(said[0], "cannot accept a connection: Too many open files");
  limiter.warn("accept", "cannot accept a connection: Too many open files", start + 1100ms);
  ASSERT_EQ(said.size(), 3u);
  EXPECT_EQ(said[2],
            "cannot accept a connection: Too many open files (149999 more like it held back "
            "since the last one shown)");
  limiter.warn("accept", "cannot accept a connection: Too many open files", start + 1200ms);
  limiter.flush();
  ASSERT_EQ(said.size(), 4u);
  EXPECT_EQ(said[3],
            "1 more warning like this one held back: cannot accept a connection: Too many open "
            "files");
  limiter.flush();
  EXPECT_EQ(said.size(), 4u);
}

}  // namespace
}  // namespace pa::stream
