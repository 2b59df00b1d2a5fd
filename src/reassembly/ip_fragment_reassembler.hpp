#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/byte_reader.hpp"
#include "base/ip_address.hpp"
#include "base/result.hpp"
#include "decode/ip_fragment_info.hpp"
#include "decode/packet_events.hpp"

namespace pa::reassembly {

// What ties fragments of one datagram together (RFC 791 3.2 for IPv4, RFC 8200 4.5 for IPv6,
// where the protocol is the fragment header's next header). The family is the addresses'.
struct FragmentKey {
  base::IpAddress source;
  base::IpAddress destination;
  std::uint32_t identification = 0;
  std::uint8_t protocol = 0;

  bool operator==(const FragmentKey&) const = default;
};

struct FragmentKeyHash {
  std::size_t operator()(const FragmentKey& key) const noexcept;
};

// A fragment that completed its datagram hands back the datagram's whole payload (IPv4: the
// transport header onward; IPv6: the fragmentable part after the fragment header).
struct FragmentOutcome {
  bool complete = false;
  base::Bytes datagram;  // owned by the reassembler, valid until its next call
};

struct FragmentCounters {
  std::uint64_t datagrams_completed = 0;
  std::uint64_t datagrams_expired = 0;
  std::uint64_t datagrams_evicted = 0;
  std::uint64_t fragments_rejected = 0;  // fragment_bad_offset
  std::size_t datagrams_pending = 0;
};

// Holds IPv4 and IPv6 fragments until their datagram is whole. Memory is bounded by the count
// of pending datagrams times the largest datagram; age is judged on capture timestamps only,
// so a run gives the same result however fast it goes.
//
// Overlaps: the first bytes received win. A fragment that overlaps bytes already held with
// the same content (a duplicate) is accepted; one that says something different, or that
// disagrees about where the datagram ends, is rejected on its own (fragment_bad_offset) and
// the datagram waits for its missing pieces. (RFC 5722 would drop the whole IPv6 datagram;
// keeping the first copy loses less and cannot be steered by a later packet.)
class IpFragmentReassembler {
 public:
  // A busy resolver sees few fragmented datagrams at once; more than this pending is a flood
  // or loss, and the oldest gives way.
  static constexpr std::size_t max_pending_datagrams = 1024;
  // An IP datagram's payload cannot exceed 65,535 bytes (16-bit lengths and offsets).
  static constexpr std::size_t max_datagram_bytes = 65535;
  // RFC 791 suggests a reassembly timer of about 15 s, Linux waits 30 s (ipfrag_time).
  static constexpr std::int64_t max_age_ns = 30'000'000'000;

  // Adds one fragment's payload. Datagrams given up on meanwhile (too old, or pushed out by
  // the count limit) are reported through `events` in the context of `packet`. Returns the
  // whole datagram when this fragment completes it, an incomplete outcome while pieces are
  // missing, or fragment_bad_offset for a fragment that cannot be placed.
  base::Result<FragmentOutcome> add(const FragmentKey& key, const decode::FragmentInfo& fragment,
                                    base::Bytes payload, const decode::PacketContext& packet,
                                    decode::PacketEvents& events) noexcept;

  // Gives up on every pending datagram (end of input), counting each as fragment_expired.
  void finish(const decode::PacketContext& packet, decode::PacketEvents& events) noexcept;

  [[nodiscard]] FragmentCounters counters() const noexcept;

 private:
  struct Pending {
    FragmentKey key;
    std::int64_t first_seen_ns = 0;
    std::vector<std::uint8_t> bytes;                            // grows to the highest end seen
    std::vector<std::pair<std::uint32_t, std::uint32_t>> held;  // sorted, disjoint [begin, end)
    std::int64_t total_length = -1;                             // known once the last fragment came
  };
  using PendingList = std::list<Pending>;

  void expire(const decode::PacketContext& packet, decode::PacketEvents& events) noexcept;
  void erase(PendingList::iterator it) noexcept;
  static bool fits(const Pending& datagram, const decode::FragmentInfo& fragment,
                   base::Bytes payload) noexcept;
  static void place(Pending& datagram, std::uint32_t offset, base::Bytes payload);

  PendingList pending_;  // oldest first
  std::unordered_map<FragmentKey, PendingList::iterator, FragmentKeyHash> index_;
  std::vector<std::uint8_t> completed_;
  FragmentCounters counters_;
};

}  // namespace pa::reassembly
