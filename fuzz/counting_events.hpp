#pragma once

#include <cstdint>
#include <span>

#include "base/drop_reason.hpp"
#include "decode/packet_events.hpp"
#include "dns/dns_message.hpp"
#include "fuzz_check.hpp"

namespace pa::fuzz {

// PacketEvents that checks what the dissector and the reassemblers promise of every event,
// decodes every DNS message it is given, and counts.
class CountingEvents final : public decode::PacketEvents {
 public:
  void on_tcp_segment(const decode::PacketContext&, const decode::TcpSegmentHeader&) override {
    ++segments;
  }
  void on_dns_message(const decode::PacketContext&, std::span<const std::uint8_t> message,
                      decode::DnsTransport transport, bool) override {
    // A DNS-over-TCP message comes out of its 2-byte length prefix; a UDP one out of an IP
    // datagram, itself at most 65,535 bytes.
    PA_FUZZ_CHECK(message.size() <= 65535);
    if (transport == decode::DnsTransport::tcp) ++tcp_messages;
    ++messages;
    fuzz::touch(message);
    (void)dns::DnsMessage::decode(message);
  }
  void on_drop(const decode::PacketContext&, base::Drop reason) override {
    PA_FUZZ_CHECK(static_cast<std::size_t>(reason) < base::drop_reason_count);
    counts.add(reason);
    ++drops;
  }

  std::uint64_t segments = 0;
  std::uint64_t messages = 0;
  std::uint64_t tcp_messages = 0;
  std::uint64_t drops = 0;
  base::DropCounts counts;
};

}  // namespace pa::fuzz
