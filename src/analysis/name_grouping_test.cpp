#include "analysis/name_grouping.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace pa::analysis {
namespace {

// Cases from the public suffix list's own test data (checkPublicSuffix in tests.txt of
// publicsuffix/list); where it expects no registrable domain, the name stays whole.
TEST(NameGrouping, RegistrableDomainsMatchThePublicSuffixListTestData) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      // Listed, but non-Internet TLD and one-label names.
      {"com", "com"},
      {"example.com", "example.com"},
      {"b.example.com", "example.com"},
      {"a.b.example.com", "example.com"},
      // Multi-label suffixes.
      {"uk.com", "uk.com"},
      {"example.uk.com", "example.uk.com"},
      {"b.example.uk.com", "example.uk.com"},
      {"test.ac", "test.ac"},
      // A TLD with only a wildcard rule.
      {"mm", "mm"},
      {"c.mm", "c.mm"},
      {"b.c.mm", "b.c.mm"},
      {"a.b.c.mm", "b.c.mm"},
      // More complex TLD.
      {"jp", "jp"},
      {"test.jp", "test.jp"},
      {"www.test.jp", "test.jp"},
      {"ac.jp", "ac.jp"},
      {"test.ac.jp", "test.ac.jp"},
      {"kyoto.jp", "kyoto.jp"},
      {"test.kyoto.jp", "test.kyoto.jp"},
      {"ide.kyoto.jp", "ide.kyoto.jp"},
      {"b.ide.kyoto.jp", "b.ide.kyoto.jp"},
      {"a.b.ide.kyoto.jp", "b.ide.kyoto.jp"},
      {"c.kobe.jp", "c.kobe.jp"},
      {"b.c.kobe.jp", "b.c.kobe.jp"},
      {"a.b.c.kobe.jp", "b.c.kobe.jp"},
      // Wildcard with an exception rule.
      {"city.kobe.jp", "city.kobe.jp"},
      {"www.city.kobe.jp", "city.kobe.jp"},
      {"ck", "ck"},
      {"test.ck", "test.ck"},
      {"b.test.ck", "b.test.ck"},
      {"a.b.test.ck", "b.test.ck"},
      {"www.ck", "www.ck"},
      {"www.www.ck", "www.ck"},
      // US K12.
      {"us", "us"},
      {"test.us", "test.us"},
      {"www.test.us", "test.us"},
      {"ak.us", "ak.us"},
      {"test.ak.us", "test.ak.us"},
      {"www.test.ak.us", "test.ak.us"},
      {"k12.ak.us", "k12.ak.us"},
      {"test.k12.ak.us", "test.k12.ak.us"},
      {"www.test.k12.ak.us", "test.k12.ak.us"},
      // IDN labels in punycode form.
      {"xn--85x722f.com.cn", "xn--85x722f.com.cn"},
      {"xn--85x722f.xn--55qx5d.cn", "xn--85x722f.xn--55qx5d.cn"},
      {"www.xn--85x722f.xn--55qx5d.cn", "xn--85x722f.xn--55qx5d.cn"},
      {"shishi.xn--55qx5d.cn", "shishi.xn--55qx5d.cn"},
      {"xn--55qx5d.cn", "xn--55qx5d.cn"},
      {"xn--85x722f.xn--fiqs8s", "xn--85x722f.xn--fiqs8s"},
      {"www.xn--85x722f.xn--fiqs8s", "xn--85x722f.xn--fiqs8s"},
      {"shishi.xn--fiqs8s", "shishi.xn--fiqs8s"},
      {"xn--fiqs8s", "xn--fiqs8s"},
  };
  for (const auto& [name, expected] : cases) {
    EXPECT_EQ(group_of(name, NameGrouping::registrable_domain), expected) << name;
  }
}

TEST(NameGrouping, CountsAMultiLabelSuffixDomainForTheDomainNotTheSuffix) {
  EXPECT_EQ(group_of("a.b.example.co.uk", NameGrouping::registrable_domain), "example.co.uk");
}

TEST(NameGrouping, KeepsRootEscapedAndIpLiteralNamesWhole) {
  for (const NameGrouping grouping : {NameGrouping::registrable_domain, NameGrouping::tld}) {
    EXPECT_EQ(group_of("<root>", grouping), "<root>");
    EXPECT_EQ(group_of("a\\.b.example.com", grouping), "a\\.b.example.com");
    EXPECT_EQ(group_of("x\\000.example.com", grouping), "x\\000.example.com");
    EXPECT_EQ(group_of("192.0.2.1", grouping), "192.0.2.1");
  }
  // Not an IPv4 literal: a label above 255, or five labels.
  EXPECT_EQ(group_of("192.0.2.256", NameGrouping::tld), "256");
  EXPECT_EQ(group_of("1.2.3.4.5", NameGrouping::tld), "5");
}

TEST(NameGrouping, TldIsTheLastLabel) {
  EXPECT_EQ(group_of("www.example.co.uk", NameGrouping::tld), "uk");
  EXPECT_EQ(group_of("localhost", NameGrouping::tld), "localhost");
}

TEST(NameGrouping, MergesRowsPerGroupAndTypeInReportOrder) {
  std::vector<NameCount> rows = {{"a.example.com", 3, 1},
                                 {"b.example.com", 2, 1},
                                 {"b.example.com", 4, 28},
                                 {"www.example.org", 5, 1}};
  const std::vector<NameCount> grouped = group_rows(rows, NameGrouping::registrable_domain);
  ASSERT_EQ(grouped.size(), 3u);
  EXPECT_EQ(grouped[0].name, "example.com");
  EXPECT_EQ(grouped[0].count, 5u);
  EXPECT_EQ(grouped[0].type, 1);
  EXPECT_EQ(grouped[1].name, "example.org");
  EXPECT_EQ(grouped[1].count, 5u);
  EXPECT_EQ(grouped[2].name, "example.com");
  EXPECT_EQ(grouped[2].type, 28);
  EXPECT_EQ(grouped[2].count, 4u);
}

}  // namespace
}  // namespace pa::analysis
