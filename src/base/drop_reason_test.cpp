#include "base/drop_reason.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace pa::base {
namespace {

TEST(DropReason, EveryReasonHasItsOwnName) {
  std::set<std::string> names;
  for (std::size_t i = 0; i < drop_reason_count; ++i) {
    const auto name = std::string(to_string(static_cast<Drop>(i)));
    EXPECT_NE(name, "unknown");
    names.insert(name);
  }
  EXPECT_EQ(names.size(), drop_reason_count);
}

TEST(DropCounts, AddsUpPerReasonAndInTotal) {
  DropCounts a;
  a.add(Drop::ipv4_truncated);
  a.add(Drop::dns_malformed, 3);
  DropCounts b;
  b.add(Drop::ipv4_truncated, 2);
  a += b;
  EXPECT_EQ(a[Drop::ipv4_truncated], 3u);
  EXPECT_EQ(a[Drop::dns_malformed], 3u);
  EXPECT_EQ(a.total(), 6u);
}

}  // namespace
}  // namespace pa::base
