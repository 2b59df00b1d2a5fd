#pragma once

#include <cstddef>

#include "capture/packet_record.hpp"

namespace pa::reassembly {

// Where a record goes and how much of it. Only the link layer, the outermost IP header and
// the transport header are decoded, with the calls PacketDissector makes, so a record is
// judged the way the dissector will take it.
//
// Fragments and TCP from or to port 53 need reassembly: one PacketDissector must take them all,
// in processing order, so that its bounds see what -c 0's would (the stream mode's provider, the
// -j N reassembly stage). Every other record can be dissected anywhere, by a dissector that
// needs nothing but the record.
//
// A TCP or UDP packet that is not a fragment and has no port 53 on either side is analyzed
// from its headers alone (no checksum is verified, no payload read): only read_bytes of it
// are needed (the stream mode sends no more, docs/stream-protocol.md).
struct Route {
  std::size_t read_bytes = 0;  // a prefix of the record; the rest is never read
  bool needs_reassembly = false;
};

[[nodiscard]] Route route_record(const capture::PacketRecord& record) noexcept;

}  // namespace pa::reassembly
