// Query names holding every byte value (NUL, ESC, 0xFF, dots and backslashes inside labels),
// from the wire through the Analyzer into both reports: neither may put a raw control byte on
// a terminal (SPEC: zone-file escaping), and the JSON report stays valid UTF-8.

#include <gtest/gtest.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "analysis/analyzer.hpp"
#include "report/json_report.hpp"
#include "report/text_report.hpp"

namespace pa::report {
namespace {

// A DNS query (RFC 1035 4.1: id 0, RD, one question) for the name whose labels are `labels`,
// type A, class IN.
std::vector<std::uint8_t> query(const std::vector<std::vector<std::uint8_t>>& labels) {
  std::vector<std::uint8_t> m{0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0};
  for (const auto& label : labels) {
    m.push_back(static_cast<std::uint8_t>(label.size()));
    m.insert(m.end(), label.begin(), label.end());
  }
  m.insert(m.end(), {0x00, 0x00, 0x01, 0x00, 0x01});
  return m;
}

// Bytes first..last cut into labels of at most 63 bytes.
std::vector<std::vector<std::uint8_t>> labels_of(unsigned first, unsigned last) {
  std::vector<std::vector<std::uint8_t>> labels(1);
  for (unsigned b = first; b <= last; ++b) {
    if (labels.back().size() == 63) labels.emplace_back();
    labels.back().push_back(static_cast<std::uint8_t>(b));
  }
  return labels;
}

TEST(HostileNames, EveryByteValueReachesBothReportsEscaped) {
  analysis::AnalysisOptions options;
  analysis::Analyzer analyzer(options);
  // Two names of 128 byte values each: all 256 in one would pass the 255-byte name limit.
  const auto low = query(labels_of(0x00, 0x7f));
  const auto high = query(labels_of(0x80, 0xff));
  analyzer.on_dns_message({1, 0}, low, decode::DnsTransport::udp, false);
  analyzer.on_dns_message({2, 0}, high, decode::DnsTransport::udp, false);
  const analysis::AnalysisResult result = analyzer.result();
  ASSERT_EQ(result.query_counts.size(), 2u);

  std::ostringstream text;
  write_text_report(text, result, options);
  for (const char c : text.str()) {
    ASSERT_TRUE(c == '\n' || (c >= 0x20 && c <= 0x7e)) << "raw byte " << int{c};
  }
  EXPECT_NE(text.str().find("\\000\\001"), std::string::npos);  // NUL
  EXPECT_NE(text.str().find("\\027"), std::string::npos);       // ESC
  EXPECT_NE(text.str().find("\\255"), std::string::npos);       // 0xFF
  EXPECT_NE(text.str().find("\\.\\047"), std::string::npos);    // a dot inside a label
  EXPECT_NE(text.str().find("\\\\"), std::string::npos);        // a backslash

  std::ostringstream json;
  write_json_report(json, result, options, RunSummary{{"hostile.pcap"}, 2, {}, {}, {}, {}, {}});
  ASSERT_TRUE(nlohmann::json::accept(json.str()));
  for (const char c : json.str()) {
    ASSERT_TRUE(c == '\n' || (c >= 0x20 && c <= 0x7e)) << "raw byte " << int{c};
  }
  // The JSON names are the text report's, character for character.
  const auto j = nlohmann::json::parse(json.str());
  std::set<std::string> json_names;
  for (const auto& row : j["queries"]["names"]) json_names.insert(row["name"].get<std::string>());
  EXPECT_EQ(json_names,
            (std::set<std::string>{result.query_counts[0].name, result.query_counts[1].name}));
  for (const auto& name : json_names) EXPECT_NE(text.str().find(name), std::string::npos);
}

}  // namespace
}  // namespace pa::report
