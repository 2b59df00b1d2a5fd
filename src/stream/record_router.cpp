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

std::uint64_t pair_hash(const base::IpAddress& a, const base::IpAddress& b) noexcept {
  // Symmetric in the two addresses, then mixed (splitmix64's finalizer) so that few lanes
  // still share the pairs evenly.
  std::uint64_t h = static_cast<std::uint64_t>(a.hash()) ^ static_cast<std::uint64_t>(b.hash());
  h += static_cast<std::uint64_t>(a.hash()) + static_cast<std::uint64_t>(b.hash());
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return h;
}

}  // namespace

Route RecordRouter::route(const capture::PacketRecord& record) noexcept {
  const std::size_t whole = record.data.size();
  const auto round = [&] {
    next_ = next_ + 1 == lanes_ ? 0 : next_ + 1;
    return Route{next_, whole};
  };
  if (!record.interface_known) return round();
  const bool cut_by_capture = record.original_length > record.data.size();
  const auto link = decode::decode_link(record.link_type, record.data);
  if (!link) return round();
  std::uint64_t h = 0;
  bool fragment = false;
  std::uint8_t protocol = 0;
  base::Bytes payload;
  bool payload_cut = false;
  if (link->protocol == decode::NetworkProtocol::ipv4) {
    const auto ip = decode::decode_ipv4(link->payload, cut_by_capture);
    if (!ip) return round();
    h = pair_hash(ip->source, ip->destination);
    fragment = ip->fragment.is_fragment;
    protocol = ip->protocol;
    payload = ip->payload;
    payload_cut = ip->payload_cut;
  } else {
    const auto ip = decode::decode_ipv6(link->payload, cut_by_capture);
    if (!ip) return round();
    h = pair_hash(ip->source, ip->destination);
    fragment = ip->fragment.is_fragment;
    protocol = ip->protocol;
    payload = ip->payload;
    payload_cut = ip->payload_cut;
  }
  const auto lane = static_cast<std::uint32_t>(h % lanes_);
  if (fragment) return {lane, whole, true};
  // Where the bytes the analysis reads end: PacketDissector::dissect_transport reads only the
  // TCP or UDP header unless a port is 53, and nothing of other protocols.
  base::Bytes unread;
  if (protocol == static_cast<std::uint8_t>(IpProtocol::tcp)) {
    const auto tcp = decode::decode_tcp(payload, payload_cut);
    if (!tcp) return {lane, whole};
    if (tcp->source_port == dns_port || tcp->destination_port == dns_port) {
      return {lane, whole, true};
    }
    unread = tcp->payload;
  } else if (protocol == static_cast<std::uint8_t>(IpProtocol::udp)) {
    const auto udp = decode::decode_udp(payload, payload_cut);
    if (!udp || udp->source_port == dns_port || udp->destination_port == dns_port) {
      return {lane, whole};
    }
    unread = udp->payload;
  } else {
    unread = payload;
  }
  if (unread.empty()) return {lane, whole};
  return {lane, static_cast<std::size_t>(unread.data() - record.data.data())};
}

}  // namespace pa::stream
