#include "report/csv_report.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

namespace pa::report {
namespace {

TEST(CsvReport, QuotesFieldsWithCommasQuotesAndLineBreaksAsRfc4180Says) {
  EXPECT_EQ(csv_field("www.example.com"), "www.example.com");
  EXPECT_EQ(csv_field("a,b.example"), "\"a,b.example\"");
  EXPECT_EQ(csv_field("say\"hi\".example"), "\"say\"\"hi\"\".example\"");
  EXPECT_EQ(csv_field("line\r\nbreak"), "\"line\r\nbreak\"");
  EXPECT_EQ(csv_field(""), "");
}

TEST(CsvReport, WritesOneTableWithASectionColumnAndTheFoldedRow) {
  analysis::AnalysisResult result;
  result.source_ports = {42588};
  result.query_counts = {{"a,b.example", 3}, {"c.example", 1}};
  result.total_queries = 4;
  analysis::AnalysisOptions options;
  options.top = 1;
  RunSummary summary;
  summary.inputs = {"x.pcap"};
  summary.packets_read = 9;
  std::ostringstream out;
  write_csv_report(out, result, options, summary);
  EXPECT_EQ(out.str(),
            "section,name,type,count,percentage,address,packet,time,port\r\n"
            "input,x.pcap,,,,,,,\r\n"
            "summary,packets_read,,9,,,,,\r\n"
            "summary,packets_skipped,,0,,,,,\r\n"
            "summary,dns_messages,,0,,,,,\r\n"
            "summary,dns_malformed,,0,,,,,\r\n"
            "summary,dns_malformed_answer_sections,,0,,,,,\r\n"
            "summary,queries_total,,4,,,,,\r\n"
            "name,\"a,b.example\",A,3,75.00,,,,\r\n"
            "folded,(1 other name),,1,25.00,,,,\r\n"
            "port,,,,,,,,42588\r\n");
}

}  // namespace
}  // namespace pa::report
