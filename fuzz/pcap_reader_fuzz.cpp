// The classic pcap reader over any bytes: a file header it refuses throws CaptureError;
// anything after the header ends the file early with a problem, never a crash.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "capture/input_buffer.hpp"
#include "capture/pcap_reader.hpp"
#include "memory_source.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pa;
  const std::span<const std::uint8_t> bytes(data, size);
  if (size < 4 || !capture::PcapReader::is_magic(capture::load_u32(data, false))) return 0;
  // A small first buffer makes records outgrow it; the read size follows the input.
  capture::InputBuffer input(std::make_unique<fuzz::MemorySource>(bytes, 1 + size % 97), 64);
  try {
    capture::PcapReader reader("fuzz.pcap", "fuzz.pcap", std::move(input));
    fuzz::read_every_record(reader);
  } catch (const capture::CaptureError&) {
  }
  return 0;
}
