#pragma once

#include <cstdint>
#include <vector>

#include "base/byte_reader.hpp"
#include "decode/packet_events.hpp"

namespace pa::stream {

// Reassembly runs in the provider, which sees every packet in processing order, so that its
// bounds (pending datagrams, open DNS-over-TCP directions, buffered bytes) are those of -c 0
// whatever the number of lanes. What it produced at one packet travels to the packet's lane
// as an events record, and the lane's consumer replays it into its analyzer.
//
// The layout (docs/stream-protocol.md): events one after another, each a type byte, then
//   1 TCP segment: source and destination (family u8 4/6 + 4/16 bytes), ports u16 u16, flags u8
//   2 DNS message: transport u8 (0 UDP, 1 TCP), cut by capture u8, length u32, the bytes
//   3 drop: reason u16
class EventRecorder final : public decode::PacketEvents {
 public:
  void on_tcp_segment(const decode::PacketContext& packet,
                      const decode::TcpSegmentHeader& segment) override;
  void on_dns_message(const decode::PacketContext& packet, std::span<const std::uint8_t> message,
                      decode::DnsTransport transport, bool cut_by_capture) override;
  void on_drop(const decode::PacketContext& packet, base::Drop reason) override;

  // What was recorded since the last clear(); every event of one record shares one packet.
  [[nodiscard]] base::Bytes bytes() const noexcept { return bytes_; }
  [[nodiscard]] bool has_events() const noexcept { return !bytes_.empty(); }
  void clear() noexcept { bytes_.clear(); }

 private:
  void put(std::uint64_t value, std::size_t width);

  std::vector<std::uint8_t> bytes_;
};

// Hands the events of one record to `events` in the context of `packet`. Returns false, having
// handed out the events before it, when the record does not decode whole.
bool replay_events(base::Bytes record, const decode::PacketContext& packet,
                   decode::PacketEvents& events) noexcept;

}  // namespace pa::stream
