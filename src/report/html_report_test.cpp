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

TEST(HtmlReport, ShowsTheTimeSpanAndTheTimelineWithItsInterval) {
  analysis::AnalysisResult result;
  for (std::int64_t s = 0; s < 200; s += 10) {
    result.timeline.add(1'600'000'000'000'000'000 + s * 1'000'000'000,
                        analysis::TimelineSeries::queries);
  }
  result.timeline.add(1'600'000'000'000'000'000, analysis::TimelineSeries::connection_attempts);
  RunSummary summary;
  summary.time_span = RecordTimeSpan{1'600'000'000'000'000'000, 1'600'000'190'500'000'000};
  analysis::AnalysisOptions options;
  options.watch_port = 443;
  std::ostringstream out;
  write_html_report(out, result, options, summary);
  const std::string page = out.str();
  // 190 s over at most 64 buckets: 4 s each.
  EXPECT_NE(page.find("One bar = 4 s"), std::string::npos);
  EXPECT_NE(page.find("connection attempts to port 443"), std::string::npos);
  EXPECT_NE(page.find("2020-09-13T12:26:40.000000000Z to 2020-09-13T12:29:50.500000000Z "
                      "(190.500000000 s)"),
            std::string::npos);
  std::size_t query_bars = 0;
  for (std::size_t at = page.find("class=\"tq\""); at != std::string::npos;
       at = page.find("class=\"tq\"", at + 1)) {
    ++query_bars;
  }
  EXPECT_EQ(query_bars, 20u);
  EXPECT_NE(page.find("class=\"tc\""), std::string::npos);
}

TEST(HtmlReport, SaysSoWhenThereIsNoTimeline) {
  std::ostringstream out;
  write_html_report(out, analysis::AnalysisResult{}, {}, RunSummary{});
  const std::string page = out.str();
  EXPECT_NE(page.find("there is no timeline"), std::string::npos);
  EXPECT_NE(page.find("no records read"), std::string::npos);
  EXPECT_EQ(page.find("timeline-chart"), std::string::npos);
}

}  // namespace
}  // namespace pa::report
