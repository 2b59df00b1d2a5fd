#include "base/drop_reason.hpp"

namespace pa::base {

std::string_view to_string(Drop reason) noexcept {
  switch (reason) {
    case Drop::capture_unknown_interface: return "capture_unknown_interface";
    case Drop::link_type_unsupported: return "link_type_unsupported";
    case Drop::ethernet_truncated: return "ethernet_truncated";
    case Drop::vlan_truncated: return "vlan_truncated";
    case Drop::vlan_too_many_tags: return "vlan_too_many_tags";
    case Drop::sll_truncated: return "sll_truncated";
    case Drop::sll2_truncated: return "sll2_truncated";
    case Drop::null_truncated: return "null_truncated";
    case Drop::null_family_unsupported: return "null_family_unsupported";
    case Drop::ethertype_unsupported: return "ethertype_unsupported";
    case Drop::ipv4_truncated: return "ipv4_truncated";
    case Drop::ipv4_bad_version: return "ipv4_bad_version";
    case Drop::ipv4_bad_header_length: return "ipv4_bad_header_length";
    case Drop::ipv4_bad_total_length: return "ipv4_bad_total_length";
    case Drop::ipv6_truncated: return "ipv6_truncated";
    case Drop::ipv6_bad_version: return "ipv6_bad_version";
    case Drop::ipv6_bad_payload_length: return "ipv6_bad_payload_length";
    case Drop::ipv6_extension_truncated: return "ipv6_extension_truncated";
    case Drop::ipv6_too_many_extensions: return "ipv6_too_many_extensions";
    case Drop::fragment_bad_offset: return "fragment_bad_offset";
    case Drop::fragment_expired: return "fragment_expired";
    case Drop::fragment_evicted: return "fragment_evicted";
    case Drop::udp_truncated: return "udp_truncated";
    case Drop::udp_bad_length: return "udp_bad_length";
    case Drop::tcp_truncated: return "tcp_truncated";
    case Drop::tcp_bad_header_length: return "tcp_bad_header_length";
    case Drop::tcp_stream_gap: return "tcp_stream_gap";
    case Drop::tcp_stream_evicted: return "tcp_stream_evicted";
    case Drop::dns_truncated: return "dns_truncated";
    case Drop::dns_malformed: return "dns_malformed";
  }
  return "unknown";
}

std::uint64_t DropCounts::total() const noexcept {
  std::uint64_t sum = 0;
  for (const std::uint64_t n : counts_) sum += n;
  return sum;
}

DropCounts& DropCounts::operator+=(const DropCounts& other) noexcept {
  for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  return *this;
}

}  // namespace pa::base
