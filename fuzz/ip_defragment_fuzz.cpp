// The IPv4/IPv6 fragment reassembler fed several fragments from one input. Each fragment is a
// header byte (bit 0: IPv6; bits 1-2: which of four datagrams; bit 3: more fragments follow),
// an offset in 8-byte units (16 bits, so past the largest datagram too), a capture-time step
// in seconds, a length (16 bits), and that many bytes of payload (fewer at the end of input).

#include <cstddef>
#include <cstdint>

#include "base/ip_address.hpp"
#include "counting_events.hpp"
#include "fuzz_check.hpp"
#include "reassembly/ip_fragment_reassembler.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pa;
  using reassembly::IpFragmentReassembler;
  fuzz::InputSplitter input({data, size});
  IpFragmentReassembler reassembler;
  fuzz::CountingEvents events;
  const std::array<std::uint8_t, 4> v4_source{192, 0, 2, 1};
  const std::array<std::uint8_t, 4> v4_destination{192, 0, 2, 53};
  std::array<std::uint8_t, 16> v6_source{0x20, 0x01, 0x0d, 0xb8};
  std::array<std::uint8_t, 16> v6_destination{0x20, 0x01, 0x0d, 0xb8};
  v6_source[15] = 1;
  v6_destination[15] = 53;

  decode::PacketContext packet{0, 0};
  while (!input.empty()) {
    const std::uint8_t header = input.u8();
    const std::uint32_t offset_units = input.u16();
    const std::uint8_t step = input.u8();
    const std::uint16_t length = input.u16();
    const base::Bytes payload = input.bytes(length);

    const bool v6 = (header & 1) != 0;
    reassembly::FragmentKey key;
    key.source = v6 ? base::IpAddress::v6(v6_source) : base::IpAddress::v4(v4_source);
    key.destination =
        v6 ? base::IpAddress::v6(v6_destination) : base::IpAddress::v4(v4_destination);
    key.identification = (header >> 1) & 3;
    key.protocol = 17;
    decode::FragmentInfo fragment;
    fragment.is_fragment = true;
    fragment.more_fragments = (header & 8) != 0;
    fragment.offset_bytes = offset_units * 8;
    fragment.identification = key.identification;

    ++packet.packet_number;
    packet.timestamp_ns += static_cast<std::int64_t>(step) * 1'000'000'000;
    const auto outcome = reassembler.add(key, fragment, payload, packet, events);
    if (outcome && outcome->complete) {
      PA_FUZZ_CHECK(outcome->datagram.size() <= IpFragmentReassembler::max_datagram_bytes);
      // The last fragment placed its bytes at its offset, so the datagram reaches at least that
      // far.
      PA_FUZZ_CHECK(outcome->datagram.size() >= fragment.offset_bytes + payload.size());
      fuzz::touch(outcome->datagram);
    }
    PA_FUZZ_CHECK(reassembler.counters().datagrams_pending <=
                  IpFragmentReassembler::max_pending_datagrams);
  }
  reassembler.finish(packet, events);
  PA_FUZZ_CHECK(reassembler.counters().datagrams_pending == 0);
  return 0;
}
