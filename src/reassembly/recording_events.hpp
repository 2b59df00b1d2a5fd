#pragma once

// PacketEvents that remembers what it was told, for the tests of reassembly and dissection.

#include <cstdint>
#include <string>
#include <vector>

#include "base/drop_reason.hpp"
#include "decode/packet_events.hpp"

namespace pa::reassembly::test {

struct RecordedMessage {
  std::uint64_t packet_number = 0;
  std::vector<std::uint8_t> bytes;
  decode::DnsTransport transport = decode::DnsTransport::udp;
  bool cut = false;
};

struct RecordedSegment {
  std::uint64_t packet_number = 0;
  decode::TcpSegmentHeader header;
};

struct RecordedDrop {
  std::uint64_t packet_number = 0;
  base::Drop reason{};
};

class RecordingEvents : public decode::PacketEvents {
 public:
  void on_tcp_segment(const decode::PacketContext& packet,
                      const decode::TcpSegmentHeader& segment) override {
    segments.push_back({packet.packet_number, segment});
  }
  void on_dns_message(const decode::PacketContext& packet, std::span<const std::uint8_t> message,
                      decode::DnsTransport transport, bool cut_by_capture) override {
    messages.push_back(
        {packet.packet_number, {message.begin(), message.end()}, transport, cut_by_capture});
  }
  void on_drop(const decode::PacketContext& packet, base::Drop reason) override {
    drops.push_back({packet.packet_number, reason});
    counts.add(reason);
  }

  std::vector<RecordedMessage> messages;
  std::vector<RecordedSegment> segments;
  std::vector<RecordedDrop> drops;
  base::DropCounts counts;
};

}  // namespace pa::reassembly::test
