#include "app/version.hpp"

#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <zlib.h>
#include <zstd.h>

#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "app/command_line.hpp"

namespace pa::app {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in{text};
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(Version, FirstLineNamesTheVersionAndTheBuildType) {
  const auto lines = lines_of(version_text());
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0], std::string("packet-analysis ") + PA_VERSION + " (" + PA_BUILD_TYPE + ")");
  EXPECT_TRUE(std::regex_match(lines[0], std::regex(R"(packet-analysis \d+\.\d+\.\d+ \(.+\))")))
      << lines[0];
}

TEST(Version, NamesTheLibpcapZlibAndZstdLoadedAtRunTime) {
  const auto lines = lines_of(version_text());
  ASSERT_EQ(lines.size(), 4u) << version_text();
  EXPECT_EQ(lines[1], pcap_lib_version());
  EXPECT_TRUE(std::regex_match(lines[1], std::regex(R"(libpcap version \d+\.\d+\.\d+.*)")))
      << lines[1];
  EXPECT_EQ(lines[2], std::string("zlib version ") + zlibVersion());
  EXPECT_TRUE(std::regex_match(lines[2], std::regex(R"(zlib version \d+\.\d+(\.\d+)*)")))
      << lines[2];
  EXPECT_EQ(lines[3], std::string("zstd version ") + ZSTD_versionString());
  EXPECT_TRUE(std::regex_match(lines[3], std::regex(R"(zstd version \d+\.\d+\.\d+)"))) << lines[3];
}

TEST(Version, TheVersionOptionPrintsTheVersionTextAndRunsNothing) {
  const char* argv[] = {"packet-analysis", "--version"};
  const auto parsed = parse_command_line(2, argv);
  EXPECT_FALSE(parsed.options.has_value());
  EXPECT_EQ(parsed.text, version_text());
}

}  // namespace
}  // namespace pa::app
