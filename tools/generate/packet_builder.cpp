#include "packet_builder.hpp"

#include "random.hpp"

namespace pa::generate {
namespace {

constexpr std::uint16_t ether_type_ipv4 = 0x0800;
constexpr std::uint16_t ether_type_arp = 0x0806;
constexpr std::uint16_t ether_type_vlan = 0x8100;
constexpr std::uint16_t ether_type_ipv6 = 0x86dd;
constexpr std::uint8_t protocol_icmp = 1;
constexpr std::uint8_t protocol_tcp = 6;
constexpr std::uint8_t protocol_udp = 17;
constexpr std::uint8_t protocol_icmpv6 = 58;
constexpr std::size_t filler_size = 1 << 16;
// IEEE 802.3: frames shorter than 60 bytes (without FCS) are padded on the wire, and
// captures on the receiving side show the padding.
constexpr std::size_t minimum_frame = 60;

// RFC 1071: one's-complement sum of 16-bit words; an odd last byte is padded with zero.
std::uint32_t sum_words(std::span<const std::uint8_t> bytes, std::uint32_t sum = 0) {
  std::size_t i = 0;
  for (; i + 1 < bytes.size(); i += 2)
    sum += static_cast<std::uint32_t>(bytes[i] << 8 | bytes[i + 1]);
  if (i < bytes.size()) sum += static_cast<std::uint32_t>(bytes[i] << 8);
  return sum;
}

std::uint16_t fold(std::uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

// RFC 768 / RFC 8200 8.1: the pseudo-header the transport checksum covers.
std::uint32_t pseudo_header_sum(const base::IpAddress& source, const base::IpAddress& destination,
                                std::uint8_t protocol, std::size_t length) {
  std::uint32_t sum = sum_words(source.bytes());
  sum = sum_words(destination.bytes(), sum);
  sum += protocol;
  sum += static_cast<std::uint32_t>(length >> 16) + static_cast<std::uint32_t>(length & 0xffff);
  return sum;
}

std::size_t tcp_options_length(std::uint8_t flags) { return (flags & tcp_flag::syn) ? 20 : 12; }

}  // namespace

PacketBuilder::PacketBuilder(std::uint64_t seed) {
  Random random{seed ^ 0x5eedf111e5ULL};
  filler_.resize(filler_size + 2048);
  for (auto& byte : filler_) byte = static_cast<std::uint8_t>(random.next() >> 56);
  buffer_.reserve(70000);
}

void PacketBuilder::put16(std::uint16_t value) {
  buffer_.push_back(static_cast<std::uint8_t>(value >> 8));
  buffer_.push_back(static_cast<std::uint8_t>(value));
}

void PacketBuilder::put32(std::uint32_t value) {
  put16(static_cast<std::uint16_t>(value >> 16));
  put16(static_cast<std::uint16_t>(value));
}

void PacketBuilder::put(std::span<const std::uint8_t> bytes) {
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
}

void PacketBuilder::set16(std::size_t at, std::uint16_t value) {
  buffer_[at] = static_cast<std::uint8_t>(value >> 8);
  buffer_[at + 1] = static_cast<std::uint8_t>(value);
}

void PacketBuilder::ethernet(const PacketSpec& spec, std::uint16_t ether_type) {
  put(spec.destination_mac);
  put(spec.source_mac);
  if (spec.vlan != 0) {
    put16(ether_type_vlan);
    put16(spec.vlan);  // PCP 0, DEI 0
  }
  put16(ether_type);
}

std::size_t PacketBuilder::ip(const PacketSpec& spec, std::uint8_t protocol,
                              std::size_t payload_length) {
  const std::size_t start = buffer_.size();
  if (spec.source.is_v4()) {
    put8(0x45);
    put8(0);
    put16(static_cast<std::uint16_t>(20 + payload_length));
    put16(spec.ip_id);
    // Linux sets DF on TCP; UDP datagrams that may need fragmenting go without it.
    std::uint16_t fragment = static_cast<std::uint16_t>(spec.fragment_offset / 8);
    if (spec.more_fragments) fragment |= 0x2000;
    if (protocol == protocol_tcp) fragment |= 0x4000;
    put16(fragment);
    put8(spec.ttl);
    put8(protocol);
    put16(0);
    put(spec.source.bytes());
    put(spec.destination.bytes());
    set16(start + 10, fold(sum_words({buffer_.data() + start, 20})));
  } else {
    put32(0x60000000);
    put16(static_cast<std::uint16_t>(payload_length));
    put8(protocol);
    put8(spec.ttl);
    put(spec.source.bytes());
    put(spec.destination.bytes());
  }
  return start;
}

void PacketBuilder::transport_checksum(const PacketSpec& spec, std::uint8_t protocol,
                                       std::size_t start, std::size_t checksum_at) {
  const std::size_t length = buffer_.size() - start;
  std::uint32_t sum = protocol == protocol_icmp
                          ? 0
                          : pseudo_header_sum(spec.source, spec.destination, protocol, length);
  sum = sum_words({buffer_.data() + start, length}, sum);
  std::uint16_t checksum = fold(sum);
  // RFC 768: a computed UDP checksum of zero is sent as all ones.
  if (protocol == protocol_udp && checksum == 0) checksum = 0xffff;
  set16(checksum_at, checksum);
}

void PacketBuilder::body(const PacketSpec& spec) {
  const std::size_t offset = (spec.tcp_seq * 2654435761U + spec.source_port) % filler_size;
  put(spec.payload);
  put({filler_.data() + offset, spec.filler_length});
}

std::span<const std::uint8_t> PacketBuilder::build(const PacketSpec& spec) {
  buffer_.clear();
  const bool v4 = spec.source.is_v4();
  const std::size_t body_length = spec.payload.size() + spec.filler_length;
  switch (spec.kind) {
    case PacketKind::udp: {
      ethernet(spec, v4 ? ether_type_ipv4 : ether_type_ipv6);
      ip(spec, protocol_udp, 8 + body_length);
      const std::size_t start = buffer_.size();
      put16(spec.source_port);
      put16(spec.destination_port);
      put16(static_cast<std::uint16_t>(8 + body_length));
      put16(0);
      body(spec);
      transport_checksum(spec, protocol_udp, start, start + 6);
      break;
    }
    case PacketKind::tcp: {
      ethernet(spec, v4 ? ether_type_ipv4 : ether_type_ipv6);
      const std::size_t options = tcp_options_length(spec.tcp_flags);
      ip(spec, protocol_tcp, 20 + options + body_length);
      const std::size_t start = buffer_.size();
      put16(spec.source_port);
      put16(spec.destination_port);
      put32(spec.tcp_seq);
      put32(spec.tcp_ack);
      put8(static_cast<std::uint8_t>((20 + options) / 4 << 4));
      put8(spec.tcp_flags);
      put16(spec.tcp_window);
      put16(0);  // checksum
      put16(0);  // urgent pointer
      // RFC 7323 timestamps in milliseconds of capture time; the echo lags by a round trip.
      const auto ts_value = static_cast<std::uint32_t>(spec.timestamp_ns / 1000000);
      if (spec.tcp_flags & tcp_flag::syn) {
        // Linux's SYN option order: MSS, SACK permitted, timestamps, NOP, window scale.
        put8(2), put8(4), put16(v4 ? 1460 : 1440);
        put8(4), put8(2);
        put8(8), put8(10), put32(ts_value),
            put32((spec.tcp_flags & tcp_flag::ack) ? ts_value - 11 : 0);
        put8(1);
        put8(3), put8(3), put8(7);
      } else {
        put8(1), put8(1);
        put8(8), put8(10), put32(ts_value), put32(ts_value - 11);
      }
      body(spec);
      transport_checksum(spec, protocol_tcp, start, start + 16);
      break;
    }
    case PacketKind::ipv4_fragment: {
      ethernet(spec, ether_type_ipv4);
      ip(spec, protocol_udp, spec.payload.size());
      put(spec.payload);
      break;
    }
    case PacketKind::arp: {
      ethernet(spec, ether_type_arp);
      // RFC 826: Ethernet hardware, IPv4 protocol; a request leaves the target MAC zero.
      put16(1), put16(ether_type_ipv4), put8(6), put8(4);
      put16(spec.arp_reply ? 2 : 1);
      put(spec.source_mac);
      put(spec.source.bytes());
      if (spec.arp_reply) {
        put(spec.destination_mac);
      } else {
        put(MacAddress{});
      }
      put(spec.destination.bytes());
      break;
    }
    case PacketKind::icmp_echo: {
      ethernet(spec, v4 ? ether_type_ipv4 : ether_type_ipv6);
      const std::uint8_t protocol = v4 ? protocol_icmp : protocol_icmpv6;
      ip(spec, protocol, 8 + body_length);
      const std::size_t start = buffer_.size();
      // RFC 792 echo 8 / reply 0; RFC 4443 echo 128 / reply 129.
      put8(v4 ? (spec.icmp_reply ? 0 : 8) : (spec.icmp_reply ? 129 : 128));
      put8(0);
      put16(0);
      put16(spec.source_port);
      put16(spec.destination_port);
      body(spec);
      transport_checksum(spec, protocol, start, start + 2);
      break;
    }
  }
  if (buffer_.size() < minimum_frame) buffer_.resize(minimum_frame, 0);
  return buffer_;
}

std::vector<std::uint8_t> PacketBuilder::udp_datagram(const base::IpAddress& source,
                                                      const base::IpAddress& destination,
                                                      std::uint16_t source_port,
                                                      std::uint16_t destination_port,
                                                      std::span<const std::uint8_t> payload) {
  std::vector<std::uint8_t> datagram;
  datagram.reserve(8 + payload.size());
  const auto length = static_cast<std::uint16_t>(8 + payload.size());
  for (const std::uint16_t field : {source_port, destination_port, length, std::uint16_t{0}}) {
    datagram.push_back(static_cast<std::uint8_t>(field >> 8));
    datagram.push_back(static_cast<std::uint8_t>(field));
  }
  datagram.insert(datagram.end(), payload.begin(), payload.end());
  std::uint16_t checksum =
      fold(sum_words(datagram, pseudo_header_sum(source, destination, protocol_udp, length)));
  if (checksum == 0) checksum = 0xffff;
  datagram[6] = static_cast<std::uint8_t>(checksum >> 8);
  datagram[7] = static_cast<std::uint8_t>(checksum);
  return datagram;
}

}  // namespace pa::generate
