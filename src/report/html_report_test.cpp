#include "report/html_report.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

namespace pa::report {
namespace {

TEST(HtmlReport, EscapesMarkupQuotesAndControlBytes) {
  EXPECT_EQ(html_escape("<script>\"a\"&'b'</script>"),
            "&lt;script&gt;&quot;a&quot;&amp;&#39;b&#39;&lt;/script&gt;");
  EXPECT_EQ(html_escape(std::string("a\x01z", 3)), "a&#xFFFD;z");
  EXPECT_EQ(html_escape("www.example.com"), "www.example.com");
}

TEST(HtmlReport, ShowsTwentyRowsAndFoldsTheRestWhenTopIsNotGiven) {
  analysis::AnalysisResult result;
  for (int i = 0; i < 25; ++i) {
    result.query_counts.push_back({"n" + std::to_string(100 + i) + ".example", 1});
  }
  result.total_queries = 25;
  std::ostringstream out;
  write_html_report(out, result, {}, RunSummary{});
  const std::string page = out.str();
  std::size_t bars = 0;
  for (std::size_t at = page.find("class=\"bar\""); at != std::string::npos;
       at = page.find("class=\"bar\"", at + 1)) {
    ++bars;
  }
  EXPECT_EQ(bars, html_default_top);
  EXPECT_NE(page.find("(5 other names)"), std::string::npos);
  EXPECT_EQ(page.find("<script"), std::string::npos);
}

}  // namespace
}  // namespace pa::report
