#pragma once

#include <cstdint>

#include "base/byte_reader.hpp"
#include "base/ip_address.hpp"
#include "base/result.hpp"
#include "decode/ip_fragment_info.hpp"

namespace pa::decode {

// One IPv4 header. `payload` points into the decoded bytes (valid as long as they are) and
// ends at the total length, so Ethernet padding is not part of it.
struct Ipv4View {
  base::IpAddress source;
  base::IpAddress destination;
  std::uint8_t protocol = 0;
  base::Bytes payload;
  bool payload_cut = false;  // the capture's snap length cut the payload short
  FragmentInfo fragment;
};

// `cut_by_capture` says the record holds fewer bytes than the packet had on the wire; only
// then may the total length run past the bytes at hand.
base::Result<Ipv4View> decode_ipv4(base::Bytes packet, bool cut_by_capture) noexcept;

}  // namespace pa::decode
