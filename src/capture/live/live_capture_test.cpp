#include "capture/live/live_capture.hpp"

#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <algorithm>

namespace pa::capture::live {
namespace {

TEST(LinkTypeOfDlt, MapsRawIpToItsFileNumber) {
  // DLT_RAW is 12 (or 14) depending on the platform; files always hold LINKTYPE_RAW, 101.
  EXPECT_EQ(link_type_of_dlt(DLT_RAW), LinkType::raw);
}

TEST(LinkTypeOfDlt, KeepsValuesThatAreTheSameInBothNumberings) {
  EXPECT_EQ(link_type_of_dlt(DLT_EN10MB), LinkType::ethernet);
  EXPECT_EQ(link_type_of_dlt(DLT_NULL), LinkType::null);
  EXPECT_EQ(link_type_of_dlt(DLT_LINUX_SLL), LinkType::linux_sll);
  EXPECT_EQ(link_type_of_dlt(DLT_LINUX_SLL2), LinkType::linux_sll2);
  EXPECT_EQ(link_type_of_dlt(DLT_IPV6), LinkType::ipv6);
}

TEST(ListInterfaces, ListsTheLoopbackInterfaceAsUpAndLoopback) {
  const auto interfaces = list_interfaces();
  const auto lo = std::find_if(interfaces.begin(), interfaces.end(),
                               [](const InterfaceInfo& info) { return info.name == "lo"; });
  ASSERT_NE(lo, interfaces.end());
  EXPECT_TRUE(lo->loopback);
  EXPECT_TRUE(lo->up);
}

TEST(LiveCapture, RejectsAnEmptyInterfaceName) {
  LiveCaptureOptions options;
  EXPECT_THROW(LiveCapture{options}, LiveCaptureError);
}

}  // namespace
}  // namespace pa::capture::live
