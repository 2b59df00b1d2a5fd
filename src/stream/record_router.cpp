#include "stream/record_router.hpp"

#include "decode/ipv4.hpp"
#include "decode/ipv6.hpp"
#include "decode/link_layer.hpp"
#include "decode/tcp.hpp"
#include "decode/udp.hpp"

namespace pa::stream {

namespace {

enum class IpProtocol : std::uint8_t { tcp = 6, udp = 17 };  // IANA protocol numbers
constexpr std::uint16_t dns_port = 53;

}  // namespace

Route route_record(const capture::PacketRecord& record) noexcept {
  const Route whole{record.data.size(), false};
  if (!record.interface_known) return whole;
  const bool cut_by_capture = record.original_length > record.data.size();
  const auto link = decode::decode_link(record.link_type, record.data);
  if (!link) return whole;
  bool fragment = false;
  std::uint8_t protocol = 0;
  base::Bytes payload;
  bool payload_cut = false;
  if (link->protocol == decode::NetworkProtocol::ipv4) {
    const auto ip = decode::decode_ipv4(link->payload, cut_by_capture);
    if (!ip) return whole;
    fragment = ip->fragment.is_fragment;
    protocol = ip->protocol;
    payload = ip->payload;
    payload_cut = ip->payload_cut;
  } else {
    const auto ip = decode::decode_ipv6(link->payload, cut_by_capture);
    if (!ip) return whole;
    fragment = ip->fragment.is_fragment;
    protocol = ip->protocol;
    payload = ip->payload;
    payload_cut = ip->payload_cut;
  }
  if (fragment) return {whole.read_bytes, true};
  // Where the bytes the analysis reads end: PacketDissector::dissect_transport reads only the
  // TCP or UDP header unless a port is 53, and nothing of other protocols.
  base::Bytes unread;
  if (protocol == static_cast<std::uint8_t>(IpProtocol::tcp)) {
    const auto tcp = decode::decode_tcp(payload, payload_cut);
    if (!tcp) return whole;
    if (tcp->source_port == dns_port || tcp->destination_port == dns_port) {
      return {whole.read_bytes, true};
    }
    unread = tcp->payload;
  } else if (protocol == static_cast<std::uint8_t>(IpProtocol::udp)) {
    const auto udp = decode::decode_udp(payload, payload_cut);
    if (!udp || udp->source_port == dns_port || udp->destination_port == dns_port) return whole;
    unread = udp->payload;
  } else {
    unread = payload;
  }
  if (unread.empty()) return whole;
  return {static_cast<std::size_t>(unread.data() - record.data.data()), false};
}

}  // namespace pa::stream
