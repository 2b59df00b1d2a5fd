#include "app/input_files.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace pa::app {
namespace {

class InputFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ =
        std::filesystem::temp_directory_path() /
        ("pa-input-files-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(directory_);
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }
  std::string touch(const std::string& name) {
    const auto path = (directory_ / name).string();
    std::ofstream(path) << "x";
    return path;
  }
  std::filesystem::path directory_;
};

TEST_F(InputFiles, ExpandsAMissingNameIntoItsRotatedPartsInNumericOrder) {
  for (int part = 1; part <= 11; ++part) touch("capture.pcap" + std::to_string(part));
  const auto base = (directory_ / "capture.pcap").string();
  const auto expanded = expand_rotated_captures({base});
  ASSERT_EQ(expanded.size(), 11u);
  EXPECT_EQ(expanded[0], base + "1");
  EXPECT_EQ(expanded[1], base + "2");
  EXPECT_EQ(expanded[10], base + "11");
}

TEST_F(InputFiles, KeepsNamesThatExistOrHaveNoPartsAsTyped) {
  const auto existing = touch("a.pcap");
  touch("a.pcap1");
  const auto missing = (directory_ / "missing.pcap").string();
  const auto expanded = expand_rotated_captures({existing, missing, "-"});
  EXPECT_EQ(expanded, (std::vector<std::string>{existing, missing, "-"}));
}

}  // namespace
}  // namespace pa::app
