#include "decode/link_layer.hpp"

namespace pa::decode {

namespace {

using base::ByteReader;
using base::Bytes;
using base::Drop;
using base::Result;

constexpr std::uint32_t dlt_raw_most = 12;
constexpr std::uint32_t dlt_raw_openbsd = 14;

constexpr bool is_vlan_tag(std::uint16_t type) noexcept {
  return type == static_cast<std::uint16_t>(EtherType::vlan) ||
         type == static_cast<std::uint16_t>(EtherType::qinq) ||
         type == static_cast<std::uint16_t>(EtherType::qinq_legacy);
}

Result<LinkView> from_ether_type(std::uint16_t type, Bytes payload) noexcept {
  if (type == static_cast<std::uint16_t>(EtherType::ipv4)) {
    return LinkView{NetworkProtocol::ipv4, payload};
  }
  if (type == static_cast<std::uint16_t>(EtherType::ipv6)) {
    return LinkView{NetworkProtocol::ipv6, payload};
  }
  return Drop::ethertype_unsupported;
}

// Follows a stack of VLAN tags from `type` (each tag a 2-byte TCI then the next EtherType,
// IEEE 802.1Q clause 9) and returns the network layer that `r`'s remaining bytes carry.
Result<LinkView> from_ether_type_and_tags(std::uint16_t type, ByteReader& r) noexcept {
  int tags = 0;
  while (is_vlan_tag(type)) {
    if (++tags > max_vlan_tags) return Drop::vlan_too_many_tags;
    r.skip(2);
    type = r.u16();
    if (r.failed()) return Drop::vlan_truncated;
  }
  // IEEE 802.3 frames (a length up to 1500 instead of an EtherType, then LLC) are not
  // Ethernet II, the only Ethernet framing analyzed: even LLC/SNAP carrying IP is skipped.
  if (type <= 1500) return Drop::ethertype_unsupported;
  return from_ether_type(type, r.rest());
}

// BSD address family values for IP: AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD, OpenBSD,
// BSD/OS), 28 (FreeBSD, DragonFly) or 30 (macOS) -- the file does not say which system wrote it.
Result<NetworkProtocol> from_bsd_family(std::uint32_t family) noexcept {
  switch (family) {
    case 2:
      return NetworkProtocol::ipv4;
    case 24:
    case 28:
    case 30:
      return NetworkProtocol::ipv6;
    default:
      return Drop::null_family_unsupported;
  }
}

}  // namespace

Result<LinkView> decode_ethernet(Bytes frame) noexcept {
  ByteReader r{frame};
  r.skip(12);  // destination and source MAC addresses
  const std::uint16_t type = r.u16();
  if (r.failed()) return Drop::ethernet_truncated;
  return from_ether_type_and_tags(type, r);
}

Result<LinkView> decode_linux_sll(Bytes frame) noexcept {
  // https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html: packet type, ARPHRD type,
  // address length, 8 address bytes, then the protocol as an EtherType.
  ByteReader r{frame};
  r.skip(14);
  const std::uint16_t type = r.u16();
  if (r.failed()) return Drop::sll_truncated;
  return from_ether_type_and_tags(type, r);
}

Result<LinkView> decode_linux_sll2(Bytes frame) noexcept {
  // https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL2.html: the protocol comes first, then
  // reserved, interface index, ARPHRD type, packet type, address length, 8 address bytes.
  ByteReader r{frame};
  const std::uint16_t type = r.u16();
  r.skip(18);
  if (r.failed()) return Drop::sll2_truncated;
  return from_ether_type_and_tags(type, r);
}

Result<LinkView> decode_raw_ip(Bytes frame) noexcept {
  // LINKTYPE_RAW: the IP version nibble says which.
  if (frame.empty()) return Drop::ipv4_truncated;
  switch (frame[0] >> 4) {
    case 4:
      return LinkView{NetworkProtocol::ipv4, frame};
    case 6:
      return LinkView{NetworkProtocol::ipv6, frame};
    default:
      return Drop::ipv4_bad_version;
  }
}

Result<LinkView> decode_bsd_null(Bytes frame) noexcept {
  // The family is in the byte order of the machine that wrote the file, which the file does
  // not record; the valid values are all below 256, so whichever order gives one is right.
  ByteReader r{frame};
  const std::uint32_t little = r.u32(base::Endian::little);
  if (r.failed()) return Drop::null_truncated;
  const std::uint32_t family = little <= 0xff ? little : __builtin_bswap32(little);
  const Result<NetworkProtocol> protocol = from_bsd_family(family);
  if (!protocol) return protocol.drop();
  return LinkView{*protocol, r.rest()};
}

Result<LinkView> decode_bsd_loop(Bytes frame) noexcept {
  // LINKTYPE_LOOP (OpenBSD): the same family field, always in network byte order.
  ByteReader r{frame};
  const std::uint32_t family = r.u32();
  if (r.failed()) return Drop::null_truncated;
  const Result<NetworkProtocol> protocol = from_bsd_family(family);
  if (!protocol) return protocol.drop();
  return LinkView{*protocol, r.rest()};
}

Result<LinkView> decode_link(capture::LinkType link_type, Bytes frame) noexcept {
  using capture::LinkType;
  switch (link_type) {
    case LinkType::ethernet:
      return decode_ethernet(frame);
    case LinkType::linux_sll:
      return decode_linux_sll(frame);
    case LinkType::linux_sll2:
      return decode_linux_sll2(frame);
    case LinkType::raw:
    case LinkType::ipv4:
    case LinkType::ipv6:
      // Like tcpdump and Wireshark, trust the packet's version nibble over the link type: a
      // LINKTYPE_IPV4 file holding an IPv6 packet is read as IPv6.
      return decode_raw_ip(frame);
    case LinkType::null:
      return decode_bsd_null(frame);
    case LinkType::loop:
      return decode_bsd_loop(frame);
  }
  // Older files hold the platform's DLT_RAW value instead of LINKTYPE_RAW: 12 on most
  // systems, 14 on OpenBSD and BSD/OS (https://www.tcpdump.org/linktypes.html, LINKTYPE_RAW).
  // The version nibble decides, so taking both as raw IP cannot misread another link type.
  const auto value = static_cast<std::uint32_t>(link_type);
  if (value == dlt_raw_most || value == dlt_raw_openbsd) return decode_raw_ip(frame);
  return Drop::link_type_unsupported;
}

}  // namespace pa::decode
