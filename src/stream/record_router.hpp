#pragma once

#include <cstddef>

#include "capture/packet_record.hpp"

namespace pa::stream {

// Where a record goes and how much of it. Only the link layer, the outermost IP header and
// the transport header are decoded, with the calls PacketDissector makes, so a record is
// judged the way the dissector will take it.
//
// Fragments and TCP from or to port 53 need reassembly: the provider's own PacketDissector
// takes them, so that its bounds see every packet, and only what it produces travels. Every
// other record travels to a consumer, whose dissector needs nothing but the record.
//
// A TCP or UDP packet that is not a fragment and has no port 53 on either side is analyzed
// from its headers alone (no checksum is verified, no payload read), so its payload need not
// travel: only its length does, and the consumer's copy holds other bytes there
// (docs/stream-protocol.md).
struct Route {
  std::size_t read_bytes = 0;  // a prefix of the record; the rest is never read
  bool needs_reassembly = false;
};

[[nodiscard]] Route route_record(const capture::PacketRecord& record) noexcept;

}  // namespace pa::stream
