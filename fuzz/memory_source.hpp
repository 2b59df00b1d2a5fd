#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "capture/byte_source.hpp"
#include "capture/capture_reader.hpp"
#include "fuzz_check.hpp"

namespace pa::fuzz {

// The fuzzer's bytes as a capture's byte stream, handed out `chunk` bytes per read so that the
// readers' refills happen in every place a slow pipe could put them.
class MemorySource final : public capture::ByteSource {
 public:
  MemorySource(std::span<const std::uint8_t> bytes, std::size_t chunk) noexcept
      : bytes_(bytes), chunk_(std::max<std::size_t>(chunk, 1)) {}

  std::size_t read(std::span<std::uint8_t> into) override {
    const std::size_t n = std::min({into.size(), chunk_, bytes_.size() - position_});
    std::copy_n(bytes_.begin() + static_cast<std::ptrdiff_t>(position_), n, into.begin());
    position_ += n;
    return n;
  }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t chunk_;
  std::size_t position_ = 0;
};

// Reads every record, touching every byte (so ASan sees a span that outlived its buffer), and
// checks what the readers promise of each record and of the way they stop.
inline void read_every_record(capture::CaptureReader& reader) {
  capture::PacketRecord record;
  std::uint64_t last_offset = 0;
  while (reader.next(record)) {
    PA_FUZZ_CHECK(record.original_length >= record.data.size());
    touch(record.data);
    PA_FUZZ_CHECK(reader.bytes_read() >= last_offset);
    last_offset = reader.bytes_read();
  }
  PA_FUZZ_CHECK(!reader.next(record));  // stays ended
  if (reader.problem()) PA_FUZZ_CHECK(!reader.problem()->message.empty());
}

}  // namespace pa::fuzz
