#pragma once

#include <cstdint>

namespace pa::decode {

// IP protocol numbers (IANA "Assigned Internet Protocol Numbers") the decoders look at.
enum class IpProtocol : std::uint8_t {
  hop_by_hop = 0,
  tcp = 6,
  udp = 17,
  ipv6_routing = 43,
  ipv6_fragment = 44,
  esp = 50,
  ah = 51,
  ipv6_no_next_header = 59,
  ipv6_destination_options = 60,
};

// Where a fragment's bytes go in its datagram (RFC 791 for IPv4, RFC 8200 4.5 for IPv6).
struct FragmentInfo {
  bool is_fragment = false;  // more fragments follow, or this one is not the first
  bool more_fragments = false;
  std::uint32_t offset_bytes = 0;  // where this fragment's payload starts in the datagram's
  std::uint32_t identification = 0;
};

}  // namespace pa::decode
