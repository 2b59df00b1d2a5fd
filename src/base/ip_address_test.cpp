#include "base/ip_address.hpp"

#include <gtest/gtest.h>

#include <unordered_set>

namespace pa::base {
namespace {

TEST(IpAddress, ParsesAndPrintsIpv4) {
  const auto address = IpAddress::parse("74.125.95.147");
  ASSERT_TRUE(address.has_value());
  EXPECT_TRUE(address->is_v4());
  EXPECT_EQ(address->to_string(), "74.125.95.147");
}

TEST(IpAddress, PrintsIpv6InCompressedForm) {
  const auto address = IpAddress::parse("2001:0db8:0001:0002:0000:0000:0000:1000");
  ASSERT_TRUE(address.has_value());
  EXPECT_FALSE(address->is_v4());
  EXPECT_EQ(address->to_string(), "2001:db8:1:2::1000");
}

TEST(IpAddress, RejectsTextThatIsNoAddress) {
  EXPECT_FALSE(IpAddress::parse("www.google.com").has_value());
  EXPECT_FALSE(IpAddress::parse("256.1.1.1").has_value());
  EXPECT_FALSE(IpAddress::parse("").has_value());
  EXPECT_FALSE(IpAddress::parse("1.2.3.4 ").has_value());
}

TEST(IpAddress, KeepsFamiliesApartInSets) {
  const auto v4 = IpAddress::parse("0.0.0.0");
  const auto v6 = IpAddress::parse("::");
  ASSERT_TRUE(v4 && v6);
  EXPECT_NE(*v4, *v6);
  const std::unordered_set<IpAddress> set{*v4, *v6};
  EXPECT_EQ(set.size(), 2u);
}

}  // namespace
}  // namespace pa::base
