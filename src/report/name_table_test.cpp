#include "report/name_table.hpp"

#include <gtest/gtest.h>

#include <string>

#include "report/percentage.hpp"

namespace pa::report {
namespace {

using analysis::AnalysisOptions;
using analysis::AnalysisResult;

// Seven names, 100 queries; b and c tie at the cut of --top 2 and --top 1 cuts between a tie
// of c and b sorted by name.
AnalysisResult seven_names() {
  AnalysisResult result;
  result.query_counts = {{"a.example", 40}, {"b.example", 20}, {"c.example", 20}, {"d.example", 7},
                         {"e.example", 7},  {"f.example", 3},  {"g.example", 3}};
  result.total_queries = 100;
  return result;
}

AnalysisOptions top(std::size_t rows) {
  AnalysisOptions options;
  options.top = rows;
  return options;
}

double percent(std::uint64_t count, std::uint64_t total) {
  return std::stod(format_percentage(count, total));
}

TEST(NameTable, ShowsEveryRowAndFoldsNothingWithoutTop) {
  const AnalysisResult result = seven_names();
  const NameTable table = make_name_table(result, {});
  EXPECT_EQ(table.shown.size(), 7u);
  EXPECT_FALSE(table.folds);
  EXPECT_EQ(table.shown.data(), result.query_counts.data());  // a view, not a copy
}

TEST(NameTable, FoldsTheRestIntoOneRowWhoseShareAddsUpToTheWhole) {
  const AnalysisResult result = seven_names();
  for (std::size_t rows = 0; rows <= 7; ++rows) {
    const NameTable table = make_name_table(result, top(rows));
    ASSERT_EQ(table.shown.size(), rows);
    EXPECT_TRUE(table.folds);
    EXPECT_EQ(table.folded_rows, 7 - rows);
    std::uint64_t count = table.folded_count;
    double percentage = percent(table.folded_count, table.total);
    for (const analysis::NameCount& row : table.shown) {
      count += row.count;
      percentage += percent(row.count, table.total);
    }
    EXPECT_EQ(count, 100u) << rows;
    // Each share is rounded to 0.01%: the sum is 100.00% within half a hundredth per row.
    EXPECT_NEAR(percentage, 100.0, 0.005 * static_cast<double>(rows + 1)) << rows;
  }
}

TEST(NameTable, TopZeroFoldsEveryName) {
  const AnalysisResult result = seven_names();  // the table is a view of it
  const NameTable table = make_name_table(result, top(0));
  EXPECT_TRUE(table.shown.empty());
  EXPECT_EQ(table.folded_rows, 7u);
  EXPECT_EQ(table.folded_count, 100u);
  EXPECT_EQ(folded_label(table.folded_rows), "(7 other names)");
}

TEST(NameTable, TopLargerThanTheTableShowsAllAndFoldsNothing) {
  const AnalysisResult result = seven_names();
  const NameTable table = make_name_table(result, top(1000));
  EXPECT_EQ(table.shown.size(), 7u);
  EXPECT_EQ(table.folded_rows, 0u);
  EXPECT_EQ(table.folded_count, 0u);
}

TEST(NameTable, CutsTiesByTheTablesOrder) {
  const AnalysisResult result = seven_names();
  const NameTable table = make_name_table(result, top(2));
  ASSERT_EQ(table.shown.size(), 2u);
  EXPECT_EQ(table.shown[1].name, "b.example");  // c.example has the same count, sorts after
  EXPECT_EQ(table.folded_rows, 5u);
  EXPECT_EQ(table.folded_count, 40u);
  EXPECT_EQ(folded_label(1), "(1 other name)");
}

TEST(NameTable, GroupsBeforeItCutsAndKeepsTheTotal) {
  AnalysisResult result;
  result.query_counts = {{"www.example.com", 5}, {"a.example.org", 4}, {"mail.example.com", 3}};
  result.total_queries = 12;
  AnalysisOptions options = top(1);
  options.group_by = analysis::NameGrouping::registrable_domain;
  const NameTable table = make_name_table(result, options);
  ASSERT_EQ(table.shown.size(), 1u);
  EXPECT_EQ(table.shown[0].name, "example.com");
  EXPECT_EQ(table.shown[0].count, 8u);
  EXPECT_EQ(table.folded_rows, 1u);
  EXPECT_EQ(table.folded_count, 4u);
  EXPECT_EQ(table.total, 12u);
}

}  // namespace
}  // namespace pa::report
