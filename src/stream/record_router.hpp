#pragma once

#include <cstdint>

#include "capture/packet_record.hpp"

namespace pa::stream {

// Chooses the lane of a record so that every packet of one unordered pair of IP addresses
// (both directions of a TCP connection, every fragment of a datagram) meets the same
// reassembly state. Only the link layer and the outermost IP header are decoded, with the
// calls PacketDissector makes, so a record it can place is placed the same way here. A record
// whose IP header does not decode is only counted as a drop, wherever it goes: it goes round.
class RecordRouter {
 public:
  explicit RecordRouter(std::uint32_t lanes) noexcept : lanes_(lanes == 0 ? 1 : lanes) {}

  [[nodiscard]] std::uint32_t lane(const capture::PacketRecord& record) noexcept;

 private:
  std::uint32_t lanes_;
  std::uint32_t next_ = 0;
};

}  // namespace pa::stream
