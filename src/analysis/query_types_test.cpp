#include "analysis/query_types.hpp"

#include <gtest/gtest.h>

namespace pa::analysis {
namespace {

TEST(QueryTypes, ReadsMnemonicsInAnyCaseNumbersAndRfc3597Names) {
  EXPECT_EQ(parse_query_type("A"), 1);
  EXPECT_EQ(parse_query_type("aaaa"), 28);
  EXPECT_EQ(parse_query_type("Https"), 65);
  EXPECT_EQ(parse_query_type("65"), 65);
  EXPECT_EQ(parse_query_type("TYPE65"), 65);
  EXPECT_EQ(parse_query_type("type1234"), 1234);
  EXPECT_EQ(parse_query_type("0"), 0);
  EXPECT_EQ(parse_query_type("65535"), 65535);
}

TEST(QueryTypes, RefusesUnknownNamesAndNumbersOutOfRange) {
  EXPECT_FALSE(parse_query_type(""));
  EXPECT_FALSE(parse_query_type("AAAAA"));
  EXPECT_FALSE(parse_query_type("65536"));
  EXPECT_FALSE(parse_query_type("-1"));
  EXPECT_FALSE(parse_query_type("TYPE"));
  EXPECT_FALSE(parse_query_type("TYPEx"));
  EXPECT_FALSE(parse_query_type("1 "));
}

TEST(QueryTypes, NamesTypesByMnemonicOrAsTypeN) {
  EXPECT_EQ(query_type_name(1), "A");
  EXPECT_EQ(query_type_name(28), "AAAA");
  EXPECT_EQ(query_type_name(65), "HTTPS");
  EXPECT_EQ(query_type_name(4321), "TYPE4321");
  const std::string known = known_query_types();
  EXPECT_NE(known.find("AAAA"), std::string::npos);
  EXPECT_NE(known.find("HTTPS"), std::string::npos);
}

}  // namespace
}  // namespace pa::analysis
