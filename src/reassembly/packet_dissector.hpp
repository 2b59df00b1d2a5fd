#pragma once

#include "base/byte_reader.hpp"
#include "base/ip_address.hpp"
#include "capture/packet_record.hpp"
#include "decode/packet_events.hpp"
#include "reassembly/ip_fragment_reassembler.hpp"
#include "reassembly/tcp_stream_reassembler.hpp"

namespace pa::reassembly {

// DNS traffic as the dissector tells it: UDP or TCP from or to this port.
inline constexpr std::uint16_t dns_port = 53;

// What reassembly holds and what it gave up on, for the report.
struct ReassemblyCounters {
  FragmentCounters fragments;
  StreamCounters streams;
};

// The whole per-packet path: link layer, outermost IP layer, fragment reassembly, TCP or UDP,
// then events. Every TCP segment's header goes to on_tcp_segment; UDP from or to port 53 to
// on_dns_message; TCP from or to port 53 through the stream reassembler, whole messages to
// on_dns_message. A packet that cannot be decoded produces exactly one on_drop. Tunnels and
// ICMP-quoted packets are not looked into (SPEC: only the outermost IP layer).
//
// A fragmented datagram is analyzed in the context of the packet that completed it. Fragments
// the snap length cut short cannot be placed and count as ipv4_truncated / ipv6_truncated.
class PacketDissector {
 public:
  void dissect(const capture::PacketRecord& record, const decode::PacketContext& packet,
               decode::PacketEvents& events) noexcept {
    (void)dissect_record(record, packet, events, false);
  }

  // For a reader of one piece of the input (-j, MPI): dissects the record and returns true,
  // unless it needs reassembly (route_record's needs_reassembly: an IP fragment, TCP to or
  // from port 53); then it returns false, having told `events` nothing, and the record goes to
  // the one reassembly stage. The reader decides during its one decode of the record.
  [[nodiscard]] bool dissect_or_defer(const capture::PacketRecord& record,
                                      const decode::PacketContext& packet,
                                      decode::PacketEvents& events) noexcept {
    return dissect_record(record, packet, events, true);
  }

  // End of input: pending datagrams count as fragment_expired, unfinished TCP directions as
  // tcp_stream_gap, in the context of `last` (the last packet, or a default context).
  void finish(const decode::PacketContext& last, decode::PacketEvents& events) noexcept;

  [[nodiscard]] ReassemblyCounters counters() const noexcept;

 private:
  // Both return false only when `defer` is set and the record needs reassembly.
  bool dissect_record(const capture::PacketRecord& record, const decode::PacketContext& packet,
                      decode::PacketEvents& events, bool defer) noexcept;
  bool dissect_transport(const base::IpAddress& source, const base::IpAddress& destination,
                         std::uint8_t protocol, base::Bytes payload, bool payload_cut,
                         const decode::PacketContext& packet, decode::PacketEvents& events,
                         bool defer) noexcept;

  IpFragmentReassembler fragments_;
  TcpStreamReassembler streams_;
};

}  // namespace pa::reassembly
