#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/ip_address.hpp"
#include "packet_spec.hpp"

namespace pa::generate {

// Turns a PacketSpec into the bytes of an Ethernet frame, in one buffer reused for every
// packet: generating gigabytes must not allocate per packet.
class PacketBuilder {
 public:
  explicit PacketBuilder(std::uint64_t seed);

  // The frame's bytes stay valid until the next call.
  std::span<const std::uint8_t> build(const PacketSpec& spec);

  // A whole UDP datagram (8-byte header with checksum, then payload), for the model to cut
  // into IPv4 fragments.
  static std::vector<std::uint8_t> udp_datagram(const base::IpAddress& source,
                                                const base::IpAddress& destination,
                                                std::uint16_t source_port,
                                                std::uint16_t destination_port,
                                                std::span<const std::uint8_t> payload);

 private:
  void put8(std::uint8_t value) { buffer_.push_back(value); }
  void put16(std::uint16_t value);
  void put32(std::uint32_t value);
  void put(std::span<const std::uint8_t> bytes);
  void set16(std::size_t at, std::uint16_t value);

  void ethernet(const PacketSpec& spec, std::uint16_t ether_type);
  // Writes the IP header for `payload_length` transport bytes; returns where it starts.
  std::size_t ip(const PacketSpec& spec, std::uint8_t protocol, std::size_t payload_length);
  void body(const PacketSpec& spec);
  void transport_checksum(const PacketSpec& spec, std::uint8_t protocol, std::size_t start,
                          std::size_t checksum_at);

  std::vector<std::uint8_t> buffer_;
  std::vector<std::uint8_t> filler_;
};

}  // namespace pa::generate
