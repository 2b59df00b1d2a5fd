#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>

#include "capture/capture_reader.hpp"
#include "capture/input_buffer.hpp"

namespace pa::capture {

// Fields in a file's byte order, which may not be the host's.
inline std::uint16_t load_u16(const std::uint8_t* p, bool swapped) noexcept {
  std::uint16_t v;
  std::memcpy(&v, p, sizeof v);
  return swapped ? static_cast<std::uint16_t>((v >> 8) | (v << 8)) : v;
}
inline std::uint32_t load_u32(const std::uint8_t* p, bool swapped) noexcept {
  std::uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return swapped ? __builtin_bswap32(v) : v;
}
inline std::uint64_t load_u64(const std::uint8_t* p, bool swapped) noexcept {
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return swapped ? __builtin_bswap64(v) : v;
}
inline std::uint32_t load_u32_big(const std::uint8_t* p) noexcept {
  return load_u32(p, std::endian::native == std::endian::little);
}

// "0x0a0d0d0a": a magic number or block type in messages.
std::string hex32(std::uint32_t value);

// What made a byte source fail, and where: "gzip data cut short at byte 1234 of the
// decompressed capture".
std::string source_failure(const ByteSource& source, std::uint64_t offset);

// The largest record (pcap: header and captured bytes; pcapng: whole block) a reader accepts.
// Real captures stay under 256 KiB per packet (libpcap's MAXIMUM_SNAPLEN); a length beyond
// this is a corrupt file, refused before anything is allocated for it.
inline constexpr std::uint32_t max_record_bytes = std::uint32_t{64} << 20;

// What the pcap and pcapng readers share: the buffer, the name in messages and how a file
// stops early.
class BufferedCaptureReader : public CaptureReader {
 public:
  BufferedCaptureReader(std::string path, std::string name, InputBuffer input)
      : input_(std::move(input)), path_(std::move(path)), name_(std::move(name)) {}

  [[nodiscard]] const std::optional<ReadProblem>& problem() const noexcept final {
    return problem_;
  }
  [[nodiscard]] std::uint64_t bytes_read() const noexcept final { return input_.offset(); }
  [[nodiscard]] bool decompressed() const noexcept final { return input_.source().decompressed(); }
  [[nodiscard]] const std::string& path() const noexcept final { return path_; }

 protected:
  // After input_.ensure() said no at the start of a record: the end of the file, a record cut
  // short, or a failed read or decompression. Returns false, for next() to return.
  bool stop_at_end();

  // Throws the CaptureError for a file header that input_ could not supply: `what` when the
  // file is just short, the reason when reading or decompressing failed.
  [[noreturn]] void throw_header_cut_short(const std::string& what) const;

  // A structure that contradicts itself: `subject` (e.g. "corrupt pcapng block") at
  // `offset`, `detail` says how. Returns false.
  bool stop_corrupt(std::uint64_t offset, const std::string& subject, const std::string& detail);

  InputBuffer input_;
  std::string path_;
  std::string name_;  // the file as messages name it
  std::optional<ReadProblem> problem_;
  bool done_ = false;
};

}  // namespace pa::capture
