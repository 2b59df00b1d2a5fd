#include "decode/ipv4.hpp"

#include <optional>

namespace pa::decode {

using base::ByteReader;
using base::Drop;

namespace {

// Fills `view`, or says why the header is dropped.
std::optional<Drop> fill_ipv4_view(Ipv4View& view, base::Bytes packet,
                                   bool cut_by_capture) noexcept {
  ByteReader r{packet};
  const std::uint8_t version_ihl = r.u8();
  if (r.failed()) return Drop::ipv4_truncated;
  if ((version_ihl >> 4) != 4) return Drop::ipv4_bad_version;
  const std::size_t header_length = std::size_t{version_ihl & 0x0fu} * 4;
  if (header_length < 20) return Drop::ipv4_bad_header_length;

  r.skip(1);  // DSCP, ECN
  std::size_t total_length = r.u16();
  const std::uint16_t identification = r.u16();
  const std::uint16_t flags_offset = r.u16();
  r.skip(1);  // TTL
  const std::uint8_t protocol = r.u8();
  r.skip(2);  // checksum: not checked, captures made on the sender often hold it unfilled
  const base::Bytes source = r.bytes(4);
  const base::Bytes destination = r.bytes(4);
  r.skip(header_length - 20);  // options (RFC 791 3.1): nothing in them matters here
  if (r.failed()) return Drop::ipv4_truncated;

  // A total length of 0 is what captures taken on a host with TCP segmentation offload hold
  // (the NIC fills it in later); the captured bytes are then the packet.
  if (total_length == 0) total_length = packet.size();
  if (total_length < header_length) return Drop::ipv4_bad_total_length;

  view.source.set_v4(source.first<4>());
  view.destination.set_v4(destination.first<4>());
  view.protocol = protocol;
  if (total_length > packet.size()) {
    if (!cut_by_capture) return Drop::ipv4_truncated;
    view.payload = packet.subspan(header_length);
    view.payload_cut = true;
  } else {
    view.payload = packet.subspan(header_length, total_length - header_length);
  }

  // RFC 791: bit 0 reserved, bit 1 DF, bit 2 MF, then the offset in 8-byte units.
  view.fragment.more_fragments = (flags_offset & 0x2000u) != 0;
  view.fragment.offset_bytes = std::uint32_t{flags_offset & 0x1fffu} * 8;
  view.fragment.is_fragment = view.fragment.more_fragments || view.fragment.offset_bytes != 0;
  view.fragment.identification = identification;
  return std::nullopt;
}

}  // namespace

base::Result<Ipv4View> decode_ipv4(base::Bytes packet, bool cut_by_capture) noexcept {
  // One object filled in place and returned on every path: a view built apart and copied in
  // was read back with wide loads right after its narrow stores, a store-forwarding stall that
  // made this function a fifth of the whole run (perf; docs/performance.md).
  base::Result<Ipv4View> result{std::in_place};
  if (const auto drop = fill_ipv4_view(*result, packet, cut_by_capture)) result.set_drop(*drop);
  return result;
}

}  // namespace pa::decode
