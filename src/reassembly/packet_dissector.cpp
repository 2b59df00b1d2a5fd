#include "reassembly/packet_dissector.hpp"

#include <optional>

#include "decode/ipv4.hpp"
#include "decode/ipv6.hpp"
#include "decode/link_layer.hpp"
#include "decode/tcp.hpp"
#include "decode/udp.hpp"

namespace pa::reassembly {

using base::Drop;
using decode::IpProtocol;

namespace {

// Hands a fragment of an IPv4 or IPv6 packet to the reassembler. Returns the datagram's
// payload when this fragment completed it (owned by the reassembler, valid until its next
// call); nothing while it waits, or when the fragment was dropped (the snap length cut it,
// so it cannot be placed: `cut_reason`; or the reassembler refused it).
template <class IpView>
std::optional<base::Bytes> reassemble(IpFragmentReassembler& fragments, const IpView& ip,
                                      Drop cut_reason, const decode::PacketContext& packet,
                                      decode::PacketEvents& events) noexcept {
  if (ip.payload_cut) {
    events.on_drop(packet, cut_reason);
    return std::nullopt;
  }
  const auto outcome =
      fragments.add(FragmentKey{ip.source, ip.destination, ip.fragment.identification, ip.protocol},
                    ip.fragment, ip.payload, packet, events);
  if (!outcome) {
    events.on_drop(packet, outcome.drop());
    return std::nullopt;
  }
  if (!outcome->complete) return std::nullopt;
  return outcome->datagram;
}

}  // namespace

bool PacketDissector::dissect_record(const capture::PacketRecord& record,
                                     const decode::PacketContext& packet,
                                     decode::PacketEvents& events, bool defer) noexcept {
  if (!record.interface_known) {
    events.on_drop(packet, Drop::capture_unknown_interface);
    return true;
  }
  const bool cut_by_capture = record.original_length > record.data.size();
  const auto link = decode::decode_link(record.link_type, record.data);
  if (!link) {
    events.on_drop(packet, link.drop());
    return true;
  }

  if (link->protocol == decode::NetworkProtocol::ipv4) {
    const auto ip = decode::decode_ipv4(link->payload, cut_by_capture);
    if (!ip) {
      events.on_drop(packet, ip.drop());
      return true;
    }
    if (!ip->fragment.is_fragment) {
      return dissect_transport(ip->source, ip->destination, ip->protocol, ip->payload,
                               ip->payload_cut, packet, events, defer);
    }
    if (defer) return false;
    const auto datagram = reassemble(fragments_, *ip, Drop::ipv4_truncated, packet, events);
    if (datagram) {
      (void)dissect_transport(ip->source, ip->destination, ip->protocol, *datagram, false, packet,
                              events, false);
    }
    return true;
  }

  const auto ip = decode::decode_ipv6(link->payload, cut_by_capture);
  if (!ip) {
    events.on_drop(packet, ip.drop());
    return true;
  }
  if (!ip->fragment.is_fragment) {
    return dissect_transport(ip->source, ip->destination, ip->protocol, ip->payload,
                             ip->payload_cut, packet, events, defer);
  }
  if (defer) return false;
  const auto datagram = reassemble(fragments_, *ip, Drop::ipv6_truncated, packet, events);
  if (!datagram) return true;
  // Headers after the fragment header belong to the fragmentable part (RFC 8200 4.5).
  decode::Ipv6View whole;
  whole.source = ip->source;
  whole.destination = ip->destination;
  whole.extension_count = ip->extension_count;
  const auto walked = decode::walk_ipv6_extensions(whole, ip->protocol, *datagram);
  if (!walked) {
    events.on_drop(packet, walked.drop());
  } else if (walked->fragment.is_fragment) {
    events.on_drop(packet, Drop::fragment_bad_offset);  // a fragment inside a fragment
  } else {
    (void)dissect_transport(walked->source, walked->destination, walked->protocol, walked->payload,
                            false, packet, events, false);
  }
  return true;
}

bool PacketDissector::dissect_transport(const base::IpAddress& source,
                                        const base::IpAddress& destination, std::uint8_t protocol,
                                        base::Bytes payload, bool payload_cut,
                                        const decode::PacketContext& packet,
                                        decode::PacketEvents& events, bool defer) noexcept {
  switch (static_cast<IpProtocol>(protocol)) {
    case IpProtocol::tcp: {
      const auto tcp = decode::decode_tcp(payload, payload_cut);
      if (!tcp) {
        events.on_drop(packet, tcp.drop());
        return true;
      }
      const bool dns = tcp->source_port == dns_port || tcp->destination_port == dns_port;
      if (dns && defer) return false;
      events.on_tcp_segment(packet, decode::TcpSegmentHeader{source, destination, tcp->source_port,
                                                             tcp->destination_port, tcp->flags});
      // The common case -- TCP not to or from port 53 -- ends here, without a lookup.
      if (!dns) return true;
      streams_.add(
          packet,
          TcpSegment{StreamKey{source, destination, tcp->source_port, tcp->destination_port},
                     tcp->sequence_number, tcp->flags, tcp->payload, tcp->payload_cut,
                     tcp->acknowledgment_number},
          events);
      return true;
    }
    case IpProtocol::udp: {
      const auto udp = decode::decode_udp(payload, payload_cut);
      if (!udp) {
        events.on_drop(packet, udp.drop());
        return true;
      }
      if (udp->source_port != dns_port && udp->destination_port != dns_port) return true;
      events.on_dns_message(packet, udp->payload, decode::DnsTransport::udp, udp->payload_cut);
      return true;
    }
    default:
      // ICMP, GRE, IP-in-IP, ESP, ...: not looked into.
      return true;
  }
}

void PacketDissector::finish(const decode::PacketContext& last,
                             decode::PacketEvents& events) noexcept {
  fragments_.finish(last, events);
  streams_.finish(last, events);
}

ReassemblyCounters PacketDissector::counters() const noexcept {
  return ReassemblyCounters{fragments_.counters(), streams_.counters()};
}

}  // namespace pa::reassembly
