#include "reassembly/record_router.hpp"

#include "decode/ipv4.hpp"
#include "decode/ipv6.hpp"
#include "decode/link_layer.hpp"
#include "decode/tcp.hpp"
#include "decode/udp.hpp"
#include "reassembly/packet_dissector.hpp"

namespace pa::reassembly {

namespace {

using decode::IpProtocol;

// The route of a record whose outer IP header decoded into `ip` (an Ipv4View or Ipv6View).
template <class IpView>
Route route_ip(const capture::PacketRecord& record, const IpView& ip) noexcept {
  const Route whole{record.data.size(), false};
  if (ip.fragment.is_fragment) return {whole.read_bytes, true};
  // Where the bytes the analysis reads end: PacketDissector::dissect_transport reads only the
  // TCP or UDP header unless a port is 53, and nothing of other protocols.
  base::Bytes unread;
  if (ip.protocol == static_cast<std::uint8_t>(IpProtocol::tcp)) {
    const auto tcp = decode::decode_tcp(ip.payload, ip.payload_cut);
    if (!tcp) return whole;
    if (tcp->source_port == dns_port || tcp->destination_port == dns_port) {
      return {whole.read_bytes, true};
    }
    unread = tcp->payload;
  } else if (ip.protocol == static_cast<std::uint8_t>(IpProtocol::udp)) {
    const auto udp = decode::decode_udp(ip.payload, ip.payload_cut);
    if (!udp || udp->source_port == dns_port || udp->destination_port == dns_port) return whole;
    unread = udp->payload;
  } else {
    unread = ip.payload;
  }
  if (unread.empty()) return whole;
  return {static_cast<std::size_t>(unread.data() - record.data.data()), false};
}

}  // namespace

Route route_record(const capture::PacketRecord& record) noexcept {
  const Route whole{record.data.size(), false};
  if (!record.interface_known) return whole;
  const bool cut_by_capture = record.original_length > record.data.size();
  const auto link = decode::decode_link(record.link_type, record.data);
  if (!link) return whole;
  if (link->protocol == decode::NetworkProtocol::ipv4) {
    const auto ip = decode::decode_ipv4(link->payload, cut_by_capture);
    return ip ? route_ip(record, *ip) : whole;
  }
  const auto ip = decode::decode_ipv6(link->payload, cut_by_capture);
  return ip ? route_ip(record, *ip) : whole;
}

}  // namespace pa::reassembly
