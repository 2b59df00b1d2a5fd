#include "report/text_report.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace pa::report {
namespace {

using analysis::AnalysisOptions;
using analysis::AnalysisResult;

std::string write(const AnalysisResult& result, const AnalysisOptions& options = {}) {
  std::ostringstream out;
  write_text_report(out, result, options);
  return out.str();
}

// The data of the SPEC's example: 88 queries in all, two rows shown.
AnalysisResult spec_example() {
  AnalysisResult result;
  result.source_ports = {42588, 42589};
  result.query_counts = {{"www.google.com", 40}, {"bg.archive.ubuntu.com", 3}};
  result.total_queries = 88;
  return result;
}

constexpr const char* spec_example_text =
    "List of TCP source ports from connections initiated to www.google.com:80\n"
    "========================================================================\n"
    "42588\n"
    "42589\n"
    "\n"
    "Domain name distribution in DNS resolution queries\n"
    "==================================================\n"
    "name                  | count | percentage of total\n"
    "---------------------------------------------------\n"
    "www.google.com        | 40    | 45.45%\n"
    "bg.archive.ubuntu.com | 3     | 3.41%\n"
    "\n";

TEST(TextReport, WritesTheSpecExampleByteForByte) {
  EXPECT_EQ(write(spec_example()), spec_example_text);
}

TEST(TextReport, MatchesTheExampleInTheSpecItself) {
  std::ifstream spec_file{PA_SHARED_DIR "/SPEC.md"};
  if (!spec_file) GTEST_SKIP() << "no SPEC.md beside the project";
  std::stringstream spec;
  spec << spec_file.rdbuf();
  const std::string text = spec.str();
  // The example is the fenced block that starts with the ports title.
  const std::string start = "```\nList of TCP source ports";
  const std::size_t begin = text.find(start);
  ASSERT_NE(begin, std::string::npos);
  const std::size_t end = text.find("```", begin + 4);
  ASSERT_NE(end, std::string::npos);
  EXPECT_EQ(write(spec_example()), text.substr(begin + 4, end - begin - 4));
}

TEST(TextReport, PrintsHeaderAndRuleWithoutRowsWhenThereAreNoQueries) {
  EXPECT_EQ(write(AnalysisResult{}),
            "List of TCP source ports from connections initiated to www.google.com:80\n"
            "========================================================================\n"
            "\n"
            "Domain name distribution in DNS resolution queries\n"
            "==================================================\n"
            "name                 | count | percentage of total\n"
            "--------------------------------------------------\n"
            "\n");
}

TEST(TextReport, WidensColumnsForLongNamesAndWideCounts) {
  AnalysisResult result;
  result.source_ports = {1, 65535};
  result.query_counts = {{"a-rather-long-name.example.com", 1234567}, {"b", 3}};
  result.total_queries = 1234570;
  AnalysisOptions options;
  options.watch_host = "Example.ORG.";
  options.watch_port = 8080;
  EXPECT_EQ(write(result, options),
            "List of TCP source ports from connections initiated to example.org:8080\n"
            "=======================================================================\n"
            "1\n"
            "65535\n"
            "\n"
            "Domain name distribution in DNS resolution queries\n"
            "==================================================\n"
            "name                           | count   | percentage of total\n"
            "--------------------------------------------------------------\n"
            "a-rather-long-name.example.com | 1234567 | 100.00%\n"
            "b                              | 3       | 0.00%\n"
            "\n");
}

TEST(TextReport, RoundsPercentagesOfTheBinaryValue) {
  AnalysisResult result;
  // 1/8 = 12.5% exactly; 1/3 = 33.33...%; 2/3 = 66.66...%.
  result.query_counts = {{"x", 2}, {"y", 1}};
  result.total_queries = 3;
  EXPECT_NE(write(result).find("x                    | 2     | 66.67%\n"), std::string::npos);
  EXPECT_NE(write(result).find("y                    | 1     | 33.33%\n"), std::string::npos);
  result.query_counts = {{"z", 1}};
  result.total_queries = 8;
  EXPECT_NE(write(result).find("z                    | 1     | 12.50%\n"), std::string::npos);
}

}  // namespace
}  // namespace pa::report

namespace pa::report {
namespace {

TEST(TextReport, AddsATypeColumnAfterTheNameWhenSeveralTypesCount) {
  AnalysisResult result;
  result.query_counts = {{"www.example.com", 3, 1}, {"www.example.com", 2, 65}};
  result.total_queries = 5;
  AnalysisOptions options;
  options.query_types = {1, 65};
  EXPECT_EQ(write(result, options),
            "List of TCP source ports from connections initiated to www.google.com:80\n"
            "========================================================================\n"
            "\n"
            "Domain name distribution in DNS resolution queries\n"
            "==================================================\n"
            "name                 | type  | count | percentage of total\n"
            "----------------------------------------------------------\n"
            "www.example.com      | A     | 3     | 60.00%\n"
            "www.example.com      | HTTPS | 2     | 40.00%\n"
            "\n");
}

TEST(TextReport, FoldsTheRowsAfterTopIntoOneLastRowOfShares) {
  AnalysisResult result = spec_example();
  result.query_counts.push_back({"c.example", 2});
  result.query_counts.push_back({"d.example", 1});
  AnalysisOptions options;
  options.top = 1;
  EXPECT_EQ(write(result, options),
            "List of TCP source ports from connections initiated to www.google.com:80\n"
            "========================================================================\n"
            "42588\n"
            "42589\n"
            "\n"
            "Domain name distribution in DNS resolution queries\n"
            "==================================================\n"
            "name                 | count | percentage of total\n"
            "--------------------------------------------------\n"
            "www.google.com       | 40    | 45.45%\n"
            "(3 other names)      | 6     | 6.82%\n"
            "\n");
}

}  // namespace
}  // namespace pa::report
