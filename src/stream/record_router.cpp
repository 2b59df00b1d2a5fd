#include "stream/record_router.hpp"

#include "decode/ipv4.hpp"
#include "decode/ipv6.hpp"
#include "decode/link_layer.hpp"

namespace pa::stream {

namespace {

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

std::uint32_t RecordRouter::lane(const capture::PacketRecord& record) noexcept {
  const auto round = [this] {
    next_ = next_ + 1 == lanes_ ? 0 : next_ + 1;
    return next_;
  };
  if (!record.interface_known) return round();
  const bool cut_by_capture = record.original_length > record.data.size();
  const auto link = decode::decode_link(record.link_type, record.data);
  if (!link) return round();
  std::uint64_t h = 0;
  if (link->protocol == decode::NetworkProtocol::ipv4) {
    const auto ip = decode::decode_ipv4(link->payload, cut_by_capture);
    if (!ip) return round();
    h = pair_hash(ip->source, ip->destination);
  } else {
    const auto ip = decode::decode_ipv6(link->payload, cut_by_capture);
    if (!ip) return round();
    h = pair_hash(ip->source, ip->destination);
  }
  return static_cast<std::uint32_t>(h % lanes_);
}

}  // namespace pa::stream
