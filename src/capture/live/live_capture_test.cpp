#include "capture/live/live_capture.hpp"

#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

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

// A capture on the loopback interface that sees nothing: a filter no packet matches. Needs the
// privilege to capture; tests/live fails loudly without it, these skip.
std::unique_ptr<LiveCapture> quiet_loopback(LiveCaptureOptions options) {
  options.interface = "lo";
  options.filter = "udp port 9 and udp port 7";
  try {
    return std::make_unique<LiveCapture>(std::move(options));
  } catch (const LiveCaptureError& error) {
    if (std::string(error.what()).find("no permission") != std::string::npos) return nullptr;
    throw;
  }
}

using Clock = std::chrono::steady_clock;

LiveEvent next_event_within(LiveCapture& capture, std::chrono::milliseconds limit) {
  PacketRecord record;
  const auto end = Clock::now() + limit;
  LiveEvent event = LiveEvent::idle;
  while (event == LiveEvent::idle && Clock::now() < end) event = capture.next(record);
  return event;
}

TEST(LiveCapture, EndsAfterItsDurationOnAnIdleInterface) {
  LiveCaptureOptions options;
  options.duration = std::chrono::milliseconds(200);
  const auto capture = quiet_loopback(options);
  if (!capture) GTEST_SKIP() << "no privilege to capture on lo";
  const auto start = Clock::now();
  EXPECT_EQ(next_event_within(*capture, std::chrono::seconds(5)), LiveEvent::ended);
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(600));
  EXPECT_EQ(capture->end_reason(), EndReason::duration);
  EXPECT_EQ(capture->link_type(), LinkType::ethernet);
}

TEST(LiveCapture, AStopRequestFromAnotherThreadEndsAWaitAtOnce) {
  LiveCaptureOptions options;
  options.wait = std::chrono::milliseconds(5000);  // only the request can end the wait early
  const auto capture = quiet_loopback(options);
  if (!capture) GTEST_SKIP() << "no privilege to capture on lo";
  std::thread stopper([&capture] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    capture->request_stop();
  });
  const auto start = Clock::now();
  EXPECT_EQ(next_event_within(*capture, std::chrono::seconds(10)), LiveEvent::ended);
  stopper.join();
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(1000));
  EXPECT_EQ(capture->end_reason(), EndReason::stop_requested);
  PacketRecord record;
  EXPECT_EQ(capture->next(record), LiveEvent::ended);  // for good
}

TEST(LiveCapture, WakeEndsAWaitWithoutEndingTheCapture) {
  LiveCaptureOptions options;
  options.wait = std::chrono::milliseconds(5000);
  const auto capture = quiet_loopback(options);
  if (!capture) GTEST_SKIP() << "no privilege to capture on lo";
  capture->wake();
  PacketRecord record;
  const auto start = Clock::now();
  EXPECT_EQ(capture->next(record), LiveEvent::idle);
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(1000));
  EXPECT_EQ(capture->end_reason(), EndReason::none);
  EXPECT_EQ(capture->packets(), 0u);
}

TEST(LiveCapture, RejectsAFilterThatDoesNotCompileWithPcapsMessage) {
  LiveCaptureOptions options;
  options.interface = "lo";
  options.filter = "port x";
  try {
    LiveCapture capture(options);
    FAIL() << "a filter that does not compile was accepted";
  } catch (const LiveCaptureError& error) {
    const std::string message = error.what();
    if (message.find("no permission") != std::string::npos) GTEST_SKIP() << message;
    EXPECT_EQ(message.rfind("capture filter 'port x' does not compile: ", 0), 0u) << message;
  }
}

}  // namespace
}  // namespace pa::capture::live
