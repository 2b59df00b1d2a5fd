#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "base/ip_address.hpp"
#include "decode/packet_events.hpp"
#include "dns_message.hpp"

namespace pa::generate {

using MacAddress = std::array<std::uint8_t, 6>;

enum class PacketKind : std::uint8_t { udp, tcp, ipv4_fragment, arp, icmp_echo };

// RFC 9293 3.1 control bits, as the decoder names them.
namespace tcp_flag = decode::tcp_flag;

// One packet as the traffic model means it: who sends what to whom and when. The packet
// builder turns it into frame bytes; the expected-answer bookkeeping reads the same value, so
// the expected answers follow from what was generated, not from decoding it again.
struct PacketSpec {
  std::int64_t timestamp_ns = 0;
  std::uint64_t sequence = 0;  // scheduling order, which breaks timestamp ties
  PacketKind kind = PacketKind::udp;

  MacAddress source_mac{};
  MacAddress destination_mac{};
  std::uint16_t vlan = 0;  // 802.1Q VLAN id; 0 = untagged

  base::IpAddress source;
  base::IpAddress destination;
  std::uint16_t ip_id = 0;
  std::uint8_t ttl = 64;

  // UDP and TCP ports; for ICMP echo, the identifier and sequence number.
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;

  std::uint32_t tcp_seq = 0;
  std::uint32_t tcp_ack = 0;
  std::uint8_t tcp_flags = 0;
  std::uint16_t tcp_window = 502;

  bool icmp_reply = false;  // ICMP echo: reply instead of request
  bool arp_reply = false;   // ARP: reply instead of request

  // IPv4 fragment: a slice of a UDP datagram (header included) at this byte offset.
  std::uint16_t fragment_offset = 0;
  bool more_fragments = false;

  // Bytes after the transport header (for a fragment: after the IPv4 header), then
  // `filler_length` bytes that look random (TLS ciphertext, HTTP bodies).
  std::vector<std::uint8_t> payload;
  std::uint32_t filler_length = 0;

  // The DNS messages whose last byte this packet delivers (on port 53), in order.
  std::vector<std::shared_ptr<const DnsMessage>> dns_completed;
};

}  // namespace pa::generate
