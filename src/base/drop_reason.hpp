#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace pa::base {

// Every reason a packet (or a DNS message, or a pending reassembly) is skipped. Grouped by
// layer; within a layer, `*_truncated` means the capture holds fewer bytes than the header
// needs, `*_bad_*` means fields contradict each other, `*_unsupported` means valid but not
// handled. Each is counted and reported (docs/drop-reasons.md says when each happens).
enum class Drop : std::uint8_t {
  // capture
  capture_unknown_interface,  // pcapng packet naming an interface the section never described
  // link layer
  link_type_unsupported,
  ethernet_truncated,
  vlan_truncated,
  vlan_too_many_tags,
  sll_truncated,
  sll2_truncated,
  null_truncated,
  null_family_unsupported,
  ethertype_unsupported,  // ARP, LLDP, ...: not IP
  // IPv4
  ipv4_truncated,
  ipv4_bad_version,
  ipv4_bad_header_length,
  ipv4_bad_total_length,
  // IPv6
  ipv6_truncated,
  ipv6_bad_version,
  ipv6_bad_payload_length,
  ipv6_extension_truncated,
  ipv6_too_many_extensions,
  // IP fragments (counted once per datagram given up on, except bad fragments)
  fragment_bad_offset,       // overlaps differently or runs past 65,535 bytes
  fragment_expired,          // not completed within the capture-time age limit
  fragment_evicted,          // pushed out by the pending-datagram count limit
  // transport
  udp_truncated,
  udp_bad_length,
  tcp_truncated,
  tcp_bad_header_length,
  // DNS over TCP
  tcp_stream_gap,            // bytes missing from a stream: the rest of it is skipped
  tcp_stream_evicted,        // pushed out by the stream count or byte limits
  // DNS
  dns_truncated,             // the capture cut the message short (snap length)
  dns_malformed,             // the message contradicts itself
};

inline constexpr std::size_t drop_reason_count = static_cast<std::size_t>(Drop::dns_malformed) + 1;

// The enumerator's own spelling, for reports.
std::string_view to_string(Drop reason) noexcept;

// Counts per reason; cheap to copy and to add up.
class DropCounts {
 public:
  void add(Drop reason, std::uint64_t n = 1) noexcept { counts_[static_cast<std::size_t>(reason)] += n; }
  [[nodiscard]] std::uint64_t operator[](Drop reason) const noexcept {
    return counts_[static_cast<std::size_t>(reason)];
  }
  [[nodiscard]] std::uint64_t total() const noexcept;
  DropCounts& operator+=(const DropCounts& other) noexcept;
  bool operator==(const DropCounts&) const = default;

 private:
  std::array<std::uint64_t, drop_reason_count> counts_{};
};

}  // namespace pa::base
