// The DNS-over-TCP stream reassembler and its message framing, fed segments from one input.
// The input starts with two initial sequence numbers (32 bits each, one per side, so that
// sequence numbers wrap where the input says); then each segment is a header byte (bits 0-1:
// which of four connections; bit 2: from the server; bit 3: the snap length cut it), the TCP
// flags, a sequence offset and an acknowledgment offset from the sides' initial numbers
// (16 bits each), a capture-time step in seconds, a length (11 bits) and that many bytes.

#include <array>
#include <cstddef>
#include <cstdint>

#include "base/ip_address.hpp"
#include "counting_events.hpp"
#include "fuzz_check.hpp"
#include "reassembly/tcp_stream_reassembler.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pa;
  using reassembly::TcpStreamReassembler;
  fuzz::InputSplitter input({data, size});
  const std::array<std::uint32_t, 2> initial_sequence{input.u32(), input.u32()};
  TcpStreamReassembler reassembler;
  fuzz::CountingEvents events;

  decode::PacketContext packet{0, 0};
  while (!input.empty()) {
    const std::uint8_t header = input.u8();
    const std::uint8_t flags = input.u8();
    const std::uint16_t sequence_offset = input.u16();
    const std::uint16_t acknowledgment_offset = input.u16();
    const std::uint8_t step = input.u8();
    const std::uint16_t length = input.u16() & 0x7ff;
    const base::Bytes payload = input.bytes(length);

    const bool from_server = (header & 4) != 0;
    reassembly::StreamKey key{base::IpAddress::v4(std::array<std::uint8_t, 4>{10, 0, 0, 1}),
                              base::IpAddress::v4(std::array<std::uint8_t, 4>{10, 0, 0, 53}),
                              static_cast<std::uint16_t>(40000 + (header & 3)), 53};
    if (from_server) key = key.reversed();
    reassembly::TcpSegment segment;
    segment.key = key;
    segment.flags = flags;
    segment.sequence_number = initial_sequence[from_server ? 1 : 0] + sequence_offset;
    segment.acknowledgment_number = initial_sequence[from_server ? 0 : 1] + acknowledgment_offset;
    segment.payload = payload;
    segment.payload_cut = (header & 8) != 0;

    ++packet.packet_number;
    packet.timestamp_ns += static_cast<std::int64_t>(step) * 1'000'000'000;
    reassembler.add(packet, segment, events);

    const reassembly::StreamCounters counters = reassembler.counters();
    PA_FUZZ_CHECK(counters.directions_open <= TcpStreamReassembler::max_directions);
    PA_FUZZ_CHECK(counters.bytes_buffered <= TcpStreamReassembler::max_total_bytes);
    PA_FUZZ_CHECK(counters.bytes_buffered <=
                  counters.directions_open * (TcpStreamReassembler::max_message_bytes +
                                              TcpStreamReassembler::max_held_bytes));
  }
  reassembler.finish(packet, events);
  PA_FUZZ_CHECK(reassembler.counters().bytes_buffered == 0);
  PA_FUZZ_CHECK(events.tcp_messages == reassembler.counters().messages_delivered);
  return 0;
}
