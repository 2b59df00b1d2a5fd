#include "app/name_folder.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pa::app {
namespace {

using analysis::NameCount;

TEST(NameFolder, AddsUpTheTablesInReportOrder) {
  NameFolder folder;
  folder.fold({{"b.example", 2, 1}, {"a.example", 1, 1}, {"a.example", 5, 28}});
  folder.fold({});
  folder.fold({{"a.example", 3, 1}, {"c.example", 4, 1}});
  for (int i = 0; i < 50; ++i) folder.fold({{"many.example", 1, 1}});
  const NameFolder::Folded folded = folder.take_folded();
  EXPECT_EQ(folded.total, 2u + 1 + 5 + 3 + 4 + 50);
  ASSERT_EQ(folded.rows.size(), 5u);
  const std::vector<std::tuple<std::string, std::uint64_t, std::uint16_t>> expected{
      {"many.example", 50, 1},
      {"a.example", 5, 28},
      {"a.example", 4, 1},
      {"c.example", 4, 1},
      {"b.example", 2, 1}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(folded.rows[i].name, std::get<0>(expected[i])) << i;
    EXPECT_EQ(folded.rows[i].count, std::get<1>(expected[i])) << i;
    EXPECT_EQ(folded.rows[i].type, std::get<2>(expected[i])) << i;
  }
}

TEST(NameFolder, GivesNothingWhenNothingWasFolded) {
  NameFolder folder;
  const NameFolder::Folded folded = folder.take_folded();
  EXPECT_TRUE(folded.rows.empty());
  EXPECT_EQ(folded.total, 0u);
}

TEST(NameFolder, EndsCleanlyWithTablesStillWaiting) {
  NameFolder folder;
  for (int i = 0; i < 10; ++i) folder.fold({{"x" + std::to_string(i), 1, 1}});
}

}  // namespace
}  // namespace pa::app
