#include "decode/ipv6.hpp"

namespace pa::decode {

namespace {

using base::ByteReader;
using base::Bytes;
using base::Drop;

constexpr std::uint8_t jumbo_payload_option = 0xc2;

// RFC 2675 2: the Jumbo Payload option in the hop-by-hop header holds the length of
// everything after the IPv6 header. Returns 0 when the option is absent or malformed.
std::uint32_t jumbo_payload_length(Bytes after_header) noexcept {
  ByteReader r{after_header};
  r.skip(1);  // next header
  const std::size_t length = (std::size_t{r.u8()} + 1) * 8;
  ByteReader options{r.bytes(length - 2)};
  if (r.failed()) return 0;
  while (options.remaining() > 0) {
    const std::uint8_t type = options.u8();
    if (type == 0) continue;  // Pad1 has no length byte
    const std::uint8_t option_length = options.u8();
    if (type == jumbo_payload_option && option_length == 4) return options.u32();
    options.skip(option_length);
    if (options.failed()) return 0;
  }
  return 0;
}

}  // namespace

base::Result<Ipv6View> walk_ipv6_extensions(Ipv6View view, std::uint8_t next_header,
                                            Bytes bytes) noexcept {
  ByteReader r{bytes};
  for (;;) {
    std::size_t length = 0;
    switch (static_cast<IpProtocol>(next_header)) {
      case IpProtocol::hop_by_hop:
      case IpProtocol::ipv6_routing:
      case IpProtocol::ipv6_destination_options: {
        // RFC 8200 4.3-4.6: next header, length in 8-octet units not counting the first 8.
        ByteReader h{r.rest()};
        h.skip(1);
        length = (std::size_t{h.u8()} + 1) * 8;
        if (h.failed()) return Drop::ipv6_extension_truncated;
        break;
      }
      case IpProtocol::ah: {
        // RFC 4302 2.2: the payload length is in 4-octet units, minus 2.
        ByteReader h{r.rest()};
        h.skip(1);
        length = (std::size_t{h.u8()} + 2) * 4;
        if (h.failed()) return Drop::ipv6_extension_truncated;
        break;
      }
      case IpProtocol::ipv6_fragment: {
        // RFC 8200 4.5: next header, reserved, 13-bit offset in 8-octet units, 2 reserved
        // bits, M flag, 32-bit identification.
        ByteReader h{r.rest()};
        const std::uint8_t fragment_next = h.u8();
        h.skip(1);
        const std::uint16_t offset_flags = h.u16();
        const std::uint32_t identification = h.u32();
        if (h.failed()) return Drop::ipv6_extension_truncated;
        if (++view.extension_count > max_ipv6_extensions) return Drop::ipv6_too_many_extensions;
        r.skip(8);
        const bool more = (offset_flags & 1u) != 0;
        const std::uint32_t offset = offset_flags & 0xfff8u;
        if (!more && offset == 0) {
          // RFC 6946: an atomic fragment is a whole packet; go on with its headers.
          next_header = fragment_next;
          continue;
        }
        view.fragment = FragmentInfo{true, more, offset, identification};
        view.protocol = fragment_next;
        view.payload = r.rest();
        return view;
      }
      default:
        // The upper layer, ESP or "no next header": the walk ends here.
        view.protocol = next_header;
        view.payload = r.rest();
        return view;
    }
    if (++view.extension_count > max_ipv6_extensions) return Drop::ipv6_too_many_extensions;
    next_header = r.u8();
    r.skip(length - 1);
    if (r.failed()) return Drop::ipv6_extension_truncated;
  }
}

base::Result<Ipv6View> decode_ipv6(Bytes packet, bool cut_by_capture) noexcept {
  ByteReader r{packet};
  const std::uint32_t version_class_flow = r.u32();
  std::size_t payload_length = r.u16();
  const std::uint8_t next_header = r.u8();
  r.skip(1);  // hop limit
  const Bytes source = r.bytes(16);
  const Bytes destination = r.bytes(16);
  if (!packet.empty() && (packet[0] >> 4) != 6) return Drop::ipv6_bad_version;
  if (r.failed()) return Drop::ipv6_truncated;
  (void)version_class_flow;

  Ipv6View view;
  view.source.set_v6(source.first<16>());
  view.destination.set_v6(destination.first<16>());

  Bytes after_header = r.rest();
  if (payload_length == 0 && next_header == static_cast<std::uint8_t>(IpProtocol::hop_by_hop)) {
    const std::uint32_t jumbo_length = jumbo_payload_length(after_header);
    // RFC 2675 3: a jumbogram's length is above 65,535; anything else contradicts itself.
    if (jumbo_length <= 0xffff) return Drop::ipv6_bad_payload_length;
    payload_length = jumbo_length;
  }
  if (payload_length > after_header.size()) {
    if (!cut_by_capture) return Drop::ipv6_truncated;
    view.payload_cut = true;
  } else {
    after_header = after_header.first(payload_length);
  }
  return walk_ipv6_extensions(view, next_header, after_header);
}

}  // namespace pa::decode
