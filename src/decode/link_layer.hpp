#pragma once

#include <cstdint>

#include "base/byte_reader.hpp"
#include "base/result.hpp"
#include "capture/link_type.hpp"

namespace pa::decode {

// EtherType values (IEEE 802 numbers) the link decoders look at.
enum class EtherType : std::uint16_t {
  ipv4 = 0x0800,
  ipv6 = 0x86dd,
  vlan = 0x8100,         // IEEE 802.1Q customer tag
  qinq = 0x88a8,         // IEEE 802.1ad service tag
  qinq_legacy = 0x9100,  // pre-standard service tag, still sent by some switches
};

// Which network layer a link-layer header announces.
enum class NetworkProtocol : std::uint8_t { ipv4, ipv6 };

// The network-layer bytes of one frame; `payload` points into the record's bytes and is valid
// as long as they are.
struct LinkView {
  NetworkProtocol protocol = NetworkProtocol::ipv4;
  base::Bytes payload;
};

// Stacked VLAN tags beyond this many are taken as garbage rather than a real network (real
// networks stack two, Q-in-Q, and rarely three).
inline constexpr int max_vlan_tags = 8;

// Decodes the link-layer header of a frame of the given LINKTYPE down to IPv4 or IPv6.
base::Result<LinkView> decode_link(capture::LinkType link_type, base::Bytes frame) noexcept;

// The individual link layers, for tests and for callers that know their link type.
base::Result<LinkView> decode_ethernet(base::Bytes frame) noexcept;
base::Result<LinkView> decode_linux_sll(base::Bytes frame) noexcept;
base::Result<LinkView> decode_linux_sll2(base::Bytes frame) noexcept;
base::Result<LinkView> decode_raw_ip(base::Bytes frame) noexcept;
base::Result<LinkView> decode_bsd_null(base::Bytes frame) noexcept;
base::Result<LinkView> decode_bsd_loop(base::Bytes frame) noexcept;

}  // namespace pa::decode
