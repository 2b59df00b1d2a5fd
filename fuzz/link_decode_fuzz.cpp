// One frame through the link, IP and transport decoders, then through the dissector. The first
// byte picks the link type (low three bits) and whether the capture cut the frame short (bit 3);
// the rest is the frame.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "capture/link_type.hpp"
#include "counting_events.hpp"
#include "decode/ipv4.hpp"
#include "decode/ipv6.hpp"
#include "decode/link_layer.hpp"
#include "decode/tcp.hpp"
#include "decode/udp.hpp"
#include "fuzz_check.hpp"
#include "reassembly/packet_dissector.hpp"

namespace {

using namespace pa;

constexpr std::array link_types{capture::LinkType::null,      capture::LinkType::ethernet,
                                capture::LinkType::raw,       capture::LinkType::loop,
                                capture::LinkType::linux_sll, capture::LinkType::ipv4,
                                capture::LinkType::ipv6,      capture::LinkType::linux_sll2};

void decode_transport(std::uint8_t protocol, base::Bytes payload, bool payload_cut) {
  if (protocol == static_cast<std::uint8_t>(decode::IpProtocol::tcp)) {
    const auto tcp = decode::decode_tcp(payload, payload_cut);
    if (tcp) PA_FUZZ_CHECK(fuzz::within(tcp->payload, payload));
  } else if (protocol == static_cast<std::uint8_t>(decode::IpProtocol::udp)) {
    const auto udp = decode::decode_udp(payload, payload_cut);
    if (udp) PA_FUZZ_CHECK(fuzz::within(udp->payload, payload));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const base::Bytes frame(data + 1, size - 1);
  const capture::LinkType link_type = link_types[data[0] & 7];
  const bool cut_by_capture = (data[0] & 8) != 0;

  const auto link = decode::decode_link(link_type, frame);
  if (link) {
    PA_FUZZ_CHECK(fuzz::within(link->payload, frame));
    if (link->protocol == decode::NetworkProtocol::ipv4) {
      const auto ip = decode::decode_ipv4(link->payload, cut_by_capture);
      if (ip) {
        PA_FUZZ_CHECK(fuzz::within(ip->payload, link->payload));
        PA_FUZZ_CHECK(!ip->payload_cut || cut_by_capture);
        if (!ip->fragment.is_fragment) decode_transport(ip->protocol, ip->payload, ip->payload_cut);
      }
    } else {
      const auto ip = decode::decode_ipv6(link->payload, cut_by_capture);
      if (ip) {
        PA_FUZZ_CHECK(fuzz::within(ip->payload, link->payload));
        PA_FUZZ_CHECK(!ip->payload_cut || cut_by_capture);
        PA_FUZZ_CHECK(ip->extension_count <= decode::max_ipv6_extensions);
        if (!ip->fragment.is_fragment) decode_transport(ip->protocol, ip->payload, ip->payload_cut);
      }
    }
  }

  // The whole per-packet path: a packet that cannot be decoded is exactly one drop.
  reassembly::PacketDissector dissector;
  fuzz::CountingEvents events;
  capture::PacketRecord record;
  record.link_type = link_type;
  record.data = frame;
  record.original_length = static_cast<std::uint32_t>(frame.size() + (cut_by_capture ? 100 : 0));
  const decode::PacketContext packet{1, 0};
  dissector.dissect(record, packet, events);
  PA_FUZZ_CHECK(events.drops <= 1);
  dissector.finish(packet, events);
  return 0;
}
