#pragma once

#include <cstddef>
#include <cstdint>

#include "capture/packet_record.hpp"

namespace pa::stream {

// Chooses the lane of a record so that every packet of one unordered pair of IP addresses
// (both directions of a TCP connection, every fragment of a datagram) meets the same
// reassembly state. Only the link layer and the outermost IP header are decoded, with the
// calls PacketDissector makes, so a record it can place is placed the same way here. A record
// whose IP header does not decode is only counted as a drop, wherever it goes: it goes round.
//
// It also says how many of the record's first bytes the analysis can read. A TCP or UDP packet
// that is not a fragment and has no port 53 on either side is analyzed from its headers alone
// (no checksum is verified, no payload read), so its payload need not travel: only its length
// does, and the consumer's copy holds other bytes there (docs/stream-protocol.md).
//
// Fragments and TCP from or to port 53 need reassembly: the provider's own PacketDissector
// takes them, so that its bounds see every packet, and only what it produces travels.
struct Route {
  std::uint32_t lane = 0;
  std::size_t read_bytes = 0;  // a prefix of the record; the rest is never read
  bool needs_reassembly = false;
};

class RecordRouter {
 public:
  explicit RecordRouter(std::uint32_t lanes) noexcept : lanes_(lanes == 0 ? 1 : lanes) {}

  [[nodiscard]] Route route(const capture::PacketRecord& record) noexcept;

 private:
  std::uint32_t lanes_;
  std::uint32_t next_ = 0;
};

}  // namespace pa::stream
