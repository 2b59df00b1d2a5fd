#pragma once

#include <cstdint>

#include "base/byte_reader.hpp"
#include "base/ip_address.hpp"
#include "base/result.hpp"
#include "decode/ip_fragment_info.hpp"

namespace pa::decode {

// One IPv6 header and its extension headers. `protocol` is the header that ends the walk: the
// upper layer (TCP, UDP, ...), ESP or "no next header" (neither is looked into), or -- for a
// fragment -- the next header named by the fragment header, `payload` then being the
// fragment's bytes. `payload` points into the decoded bytes, valid as long as they are.
struct Ipv6View {
  base::IpAddress source;
  base::IpAddress destination;
  std::uint8_t protocol = 0;
  base::Bytes payload;
  bool payload_cut = false;  // the capture's snap length cut the payload short
  FragmentInfo fragment;
  int extension_count = 0;
};

// More extension headers than this are taken as an attack on the walk, not a real packet
// (RFC 8200 4.1 expects at most one of each, destination options twice).
inline constexpr int max_ipv6_extensions = 16;

// `cut_by_capture` says the record holds fewer bytes than the packet had on the wire; only
// then may the payload length run past the bytes at hand. A payload length of 0 with a
// hop-by-hop header is a jumbogram (RFC 2675): its length is read from the Jumbo Payload option.
base::Result<Ipv6View> decode_ipv6(base::Bytes packet, bool cut_by_capture) noexcept;

// Walks extension headers from `next_header` over `bytes`, filling the view's protocol,
// payload and fragment fields. decode_ipv6 uses it, and so does reassembly: headers after a
// fragment header belong to the fragmentable part and are walked once it is whole.
base::Result<Ipv6View> walk_ipv6_extensions(Ipv6View view, std::uint8_t next_header,
                                            base::Bytes bytes) noexcept;

}  // namespace pa::decode
