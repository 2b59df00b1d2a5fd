// The pcapng reader over any bytes that start like a section header block.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "capture/input_buffer.hpp"
#include "capture/pcapng_reader.hpp"
#include "memory_source.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pa;
  const std::span<const std::uint8_t> bytes(data, size);
  if (size < 4 || capture::load_u32(data, false) != capture::PcapngReader::block_section_header) {
    return 0;
  }
  capture::InputBuffer input(std::make_unique<fuzz::MemorySource>(bytes, 1 + size % 97), 64);
  try {
    capture::PcapngReader reader("fuzz.pcapng", "fuzz.pcapng", std::move(input));
    fuzz::read_every_record(reader);
  } catch (const capture::CaptureError&) {
  }
  return 0;
}
