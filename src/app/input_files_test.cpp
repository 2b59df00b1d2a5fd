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
  const auto selection = select_inputs({base});
  ASSERT_EQ(selection.paths.size(), 11u);
  EXPECT_EQ(selection.paths[0], base + "1");
  EXPECT_EQ(selection.paths[1], base + "2");
  EXPECT_EQ(selection.paths[10], base + "11");
  EXPECT_TRUE(selection.warnings.empty());
}

TEST_F(InputFiles, ReadsANameThatExistsWithItsNumberedSiblingsAsTcpdumpWritesThem) {
  const auto base = touch("cap.pcap");
  touch("cap.pcap1");
  touch("cap.pcap2");
  touch("cap.pcapng");  // not a number: another file
  const auto selection = select_inputs({base});
  EXPECT_EQ(selection.paths, (std::vector<std::string>{base, base + "1", base + "2"}));
  ASSERT_EQ(selection.notes.size(), 1u);
  EXPECT_NE(selection.notes[0].find("--no-rotation"), std::string::npos);
}

TEST_F(InputFiles, KeepsEachNameAloneWithoutRotation) {
  const auto base = touch("cap.pcap");
  touch("cap.pcap1");
  const auto selection = select_inputs({base}, false);
  EXPECT_EQ(selection.paths, (std::vector<std::string>{base}));
  EXPECT_TRUE(selection.notes.empty());
}

TEST_F(InputFiles, WarnsAboutAGapInTheRotatedPartsAndReadsTheRest) {
  const auto base = touch("cap.pcap");
  touch("cap.pcap1");
  touch("cap.pcap2");
  touch("cap.pcap4");
  const auto selection = select_inputs({base});
  EXPECT_EQ(selection.paths, (std::vector<std::string>{base, base + "1", base + "2", base + "4"}));
  ASSERT_EQ(selection.warnings.size(), 1u);
  EXPECT_NE(selection.warnings[0].find("rotated part 3 is missing"), std::string::npos);
}

TEST_F(InputFiles, DoesNotExpandWhenThePartsAreNamedToo) {
  const auto base = touch("cap.pcap");
  const auto first = touch("cap.pcap1");
  const auto selection = select_inputs({base, first});
  EXPECT_EQ(selection.paths, (std::vector<std::string>{base, first}));
  EXPECT_TRUE(selection.notes.empty());
  EXPECT_TRUE(selection.warnings.empty());
}

TEST_F(InputFiles, ReadsTheSameFileNamedTwiceOnceWithAWarning) {
  const auto file = touch("a.pcap");
  const auto link = (directory_ / "b.pcap").string();
  std::filesystem::create_symlink(file, link);
  const auto selection = select_inputs({file, link, file, "-", "-"});
  EXPECT_EQ(selection.paths, (std::vector<std::string>{file, "-"}));
  EXPECT_EQ(selection.warnings.size(), 3u);
}

TEST_F(InputFiles, KeepsNamesWithoutPartsAsTyped) {
  const auto existing = touch("a.pcap");
  const auto missing = (directory_ / "missing.pcap").string();
  const auto selection = select_inputs({existing, missing, "-"});
  EXPECT_EQ(selection.paths, (std::vector<std::string>{existing, missing, "-"}));
}

TEST_F(InputFiles, FindsTheInputAnOutputNamesThroughALink) {
  const auto input = touch("in.pcap");
  const auto link = (directory_ / "link").string();
  std::filesystem::create_symlink(input, link);
  EXPECT_EQ(input_named_by(link, {input}), input);
  EXPECT_EQ(input_named_by(input, {input}), input);
  EXPECT_EQ(input_named_by((directory_ / "report.txt").string(), {input}), std::nullopt);
  EXPECT_EQ(input_named_by("-", {input}), std::nullopt);
}

}  // namespace
}  // namespace pa::app
