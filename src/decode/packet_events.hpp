#pragma once

#include <cstdint>
#include <span>

#include "base/drop_reason.hpp"
#include "base/ip_address.hpp"

namespace pa::decode {

// Where a packet stands in the processing order: packet_number counts from 1 over all input
// files after the merge. The SPEC's ordering rule ("after the response packet") is judged on it.
struct PacketContext {
  std::uint64_t packet_number = 0;
  std::int64_t timestamp_ns = 0;
};

namespace tcp_flag {
inline constexpr std::uint8_t fin = 0x01;
inline constexpr std::uint8_t syn = 0x02;
inline constexpr std::uint8_t rst = 0x04;
inline constexpr std::uint8_t psh = 0x08;
inline constexpr std::uint8_t ack = 0x10;
inline constexpr std::uint8_t urg = 0x20;
inline constexpr std::uint8_t ece = 0x40;
inline constexpr std::uint8_t cwr = 0x80;
}  // namespace tcp_flag

// The header fields of one TCP segment that the analysis looks at.
struct TcpSegmentHeader {
  base::IpAddress source;
  base::IpAddress destination;
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
  std::uint8_t flags = 0;  // tcp_flag bits
};

enum class DnsTransport : std::uint8_t { udp, tcp };

// What the dissector finds in the traffic, in processing order. The spans passed in are
// valid only during the call.
class PacketEvents {
 public:
  virtual ~PacketEvents() = default;

  // Every TCP segment of the outermost IP layer whose header was decoded (SYN or not).
  virtual void on_tcp_segment(const PacketContext& packet, const TcpSegmentHeader& segment) = 0;

  // One whole DNS message (UDP payload, or one length-prefixed message of a TCP stream),
  // sent from or to port 53. `cut_by_capture` is true when the snap length cut it short.
  virtual void on_dns_message(const PacketContext& packet, std::span<const std::uint8_t> message,
                              DnsTransport transport, bool cut_by_capture) = 0;

  // A packet, datagram, stream or message skipped for this reason.
  virtual void on_drop(const PacketContext& packet, base::Drop reason) = 0;
};

}  // namespace pa::decode
