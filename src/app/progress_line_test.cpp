#include "app/progress_line.hpp"

#include <gtest/gtest.h>

#include <string>

namespace pa::app {
namespace {

using std::chrono::milliseconds;

TEST(ProgressLine, WritesNothingWhenNotEnabledEvenWhenAskedToRedraw) {
  testing::internal::CaptureStderr();
  {
    ProgressLine line(false, 10'000'000, milliseconds(0));
    for (int i = 0; i < 100'000; ++i) EXPECT_FALSE(line.due());
    line.redraw(5'000'000, 1000);
    line.finish();
  }
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

TEST(ProgressLine, DrawsBytesPacketsAndShareThenErasesItself) {
  testing::internal::CaptureStderr();
  {
    ProgressLine line(true, 10'000'000, milliseconds(0));
    line.redraw(5'000'000, 20'000);
    line.redraw(6'000'000, 30'000);  // within 250 ms of the last draw: not drawn
  }
  const std::string written = testing::internal::GetCapturedStderr();
  EXPECT_EQ(written.rfind("\r5 MB, 0.02 M packets, ", 0), 0u) << written;
  EXPECT_NE(written.find(", 50%, "), std::string::npos) << written;
  EXPECT_EQ(written.find("\r6 MB"), std::string::npos) << written;
  EXPECT_EQ(written.substr(written.size() - 4), "\r\x1b[K") << "erased at the end";
}

TEST(ProgressLine, WaitsBeforeItsFirstDraw) {
  testing::internal::CaptureStderr();
  {
    ProgressLine line(true, std::nullopt);
    line.redraw(5'000'000, 20'000);
  }
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

}  // namespace
}  // namespace pa::app
