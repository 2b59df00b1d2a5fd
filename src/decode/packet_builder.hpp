#pragma once

// Small builders for the tests of decoding and reassembly: each returns the bytes of one
// header followed by its payload, fields in network order, so a test states a packet as
// `ethernet(0x0800, ipv4(...udp(...)))` and only spells out in hex the bytes it is about.

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <vector>

namespace pa::decode::test {

using Packet = std::vector<std::uint8_t>;

// "45 00 00 1c" -> bytes; anything that is not a hex digit (spaces, newlines) is skipped.
inline Packet hex(std::string_view text) {
  Packet out;
  int high = -1;
  for (const char c : text) {
    int value = -1;
    if (c >= '0' && c <= '9') value = c - '0';
    if (c >= 'a' && c <= 'f') value = c - 'a' + 10;
    if (c >= 'A' && c <= 'F') value = c - 'A' + 10;
    if (value < 0) continue;
    if (high < 0) {
      high = value;
    } else {
      out.push_back(static_cast<std::uint8_t>(high * 16 + value));
      high = -1;
    }
  }
  return out;
}

inline void put16(Packet& p, std::uint32_t v) {
  p.push_back(static_cast<std::uint8_t>(v >> 8));
  p.push_back(static_cast<std::uint8_t>(v));
}

inline void put32(Packet& p, std::uint32_t v) {
  put16(p, v >> 16);
  put16(p, v & 0xffff);
}

inline Packet concat(Packet a, const Packet& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

using V4 = std::array<std::uint8_t, 4>;
using V6 = std::array<std::uint8_t, 16>;

inline constexpr V4 client4{192, 0, 2, 1};
inline constexpr V4 server4{198, 51, 100, 53};
inline constexpr V6 client6{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
inline constexpr V6 server6{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53};

// Destination and source MAC addresses, then the EtherType.
inline Packet ethernet(std::uint16_t ether_type, const Packet& payload) {
  Packet p = hex("02 00 00 00 00 02  02 00 00 00 00 01");
  put16(p, ether_type);
  return concat(p, payload);
}

// An IPv4 header. `total_length` 0xffffffff means "computed"; `flags_offset` is the raw
// 16-bit field (0x2000 = MF, low 13 bits the offset in 8-byte units).
inline Packet ipv4(std::uint8_t protocol, const Packet& payload, std::uint16_t identification = 1,
                   std::uint16_t flags_offset = 0, const Packet& options = {}, V4 source = client4,
                   V4 destination = server4, std::uint32_t total_length = 0xffffffff) {
  Packet p;
  p.push_back(static_cast<std::uint8_t>(0x40 | ((20 + options.size()) / 4)));
  p.push_back(0);
  put16(p, total_length == 0xffffffff
               ? static_cast<std::uint32_t>(20 + options.size() + payload.size())
               : total_length);
  put16(p, identification);
  put16(p, flags_offset);
  p.push_back(64);
  p.push_back(protocol);
  put16(p, 0);
  p.insert(p.end(), source.begin(), source.end());
  p.insert(p.end(), destination.begin(), destination.end());
  p.insert(p.end(), options.begin(), options.end());
  return concat(p, payload);
}

// An IPv6 header; `payload` includes any extension headers. `payload_length` 0xffffffff
// means "computed".
inline Packet ipv6(std::uint8_t next_header, const Packet& payload, V6 source = client6,
                   V6 destination = server6, std::uint32_t payload_length = 0xffffffff) {
  Packet p = hex("60 00 00 00");
  put16(p,
        payload_length == 0xffffffff ? static_cast<std::uint32_t>(payload.size()) : payload_length);
  p.push_back(next_header);
  p.push_back(64);
  p.insert(p.end(), source.begin(), source.end());
  p.insert(p.end(), destination.begin(), destination.end());
  return concat(p, payload);
}

// An IPv6 fragment header (RFC 8200 4.5) in front of `payload`.
inline Packet ipv6_fragment(std::uint8_t next_header, std::uint32_t offset_bytes, bool more,
                            std::uint32_t identification, const Packet& payload) {
  Packet p;
  p.push_back(next_header);
  p.push_back(0);
  put16(p, (offset_bytes & 0xfff8u) | (more ? 1u : 0u));
  put32(p, identification);
  return concat(p, payload);
}

inline Packet udp(std::uint16_t source_port, std::uint16_t destination_port, const Packet& payload,
                  std::uint32_t length = 0xffffffff) {
  Packet p;
  put16(p, source_port);
  put16(p, destination_port);
  put16(p, length == 0xffffffff ? static_cast<std::uint32_t>(8 + payload.size()) : length);
  put16(p, 0);
  return concat(p, payload);
}

inline Packet tcp(std::uint16_t source_port, std::uint16_t destination_port,
                  std::uint32_t sequence_number, std::uint8_t flags, const Packet& payload,
                  const Packet& options = {}, std::uint32_t acknowledgment_number = 0) {
  Packet p;
  put16(p, source_port);
  put16(p, destination_port);
  put32(p, sequence_number);
  put32(p, acknowledgment_number);
  p.push_back(static_cast<std::uint8_t>(((20 + options.size()) / 4) << 4));
  p.push_back(flags);
  put16(p, 65535);
  put16(p, 0);
  put16(p, 0);
  p.insert(p.end(), options.begin(), options.end());
  return concat(p, payload);
}

// A DNS-over-TCP frame: 2-byte length, then the message (RFC 1035 4.2.2).
inline Packet dns_tcp_frame(const Packet& message) {
  Packet p;
  put16(p, static_cast<std::uint32_t>(message.size()));
  return concat(p, message);
}

}  // namespace pa::decode::test
