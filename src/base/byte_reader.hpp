#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace pa::base {

using Bytes = std::span<const std::uint8_t>;

enum class Endian : std::uint8_t { big, little };

// Reads fields from bytes it does not own. The first read past the end sets failed(); later
// reads return 0 (or an empty span) and do not move, so a decoder checks once, after a whole
// header. Lengths are compared as `n > remaining()`, never `position + n > size`, which could
// wrap.
class ByteReader {
 public:
  constexpr ByteReader() noexcept = default;
  constexpr explicit ByteReader(Bytes bytes) noexcept : bytes_(bytes) {}

  [[nodiscard]] constexpr bool failed() const noexcept { return failed_; }
  [[nodiscard]] constexpr std::size_t position() const noexcept { return position_; }
  [[nodiscard]] constexpr std::size_t remaining() const noexcept {
    return bytes_.size() - position_;
  }
  [[nodiscard]] constexpr Bytes whole() const noexcept { return bytes_; }
  [[nodiscard]] constexpr Bytes rest() const noexcept { return bytes_.subspan(position_); }

  std::uint8_t u8() noexcept {
    if (!take(1)) return 0;
    return bytes_[position_ - 1];
  }

  std::uint16_t u16(Endian endian = Endian::big) noexcept {
    if (!take(2)) return 0;
    const std::uint8_t* p = bytes_.data() + position_ - 2;
    return endian == Endian::big ? static_cast<std::uint16_t>((p[0] << 8) | p[1])
                                 : static_cast<std::uint16_t>((p[1] << 8) | p[0]);
  }

  std::uint32_t u32(Endian endian = Endian::big) noexcept {
    if (!take(4)) return 0;
    const std::uint8_t* p = bytes_.data() + position_ - 4;
    const std::uint32_t b0 = p[0], b1 = p[1], b2 = p[2], b3 = p[3];
    return endian == Endian::big ? (b0 << 24) | (b1 << 16) | (b2 << 8) | b3
                                 : (b3 << 24) | (b2 << 16) | (b1 << 8) | b0;
  }

  std::uint64_t u64(Endian endian = Endian::big) noexcept {
    const std::uint64_t first = u32(endian);
    const std::uint64_t second = u32(endian);
    return endian == Endian::big ? (first << 32) | second : (second << 32) | first;
  }

  // The next n bytes, or an empty span (and failed()) when fewer remain.
  Bytes bytes(std::size_t n) noexcept {
    if (!take(n)) return {};
    return bytes_.subspan(position_ - n, n);
  }

  void skip(std::size_t n) noexcept { (void)take(n); }

  // Moves to an absolute position inside the buffer; past the end fails.
  void seek(std::size_t position) noexcept {
    if (position > bytes_.size()) {
      failed_ = true;
      return;
    }
    if (!failed_) position_ = position;
  }

 private:
  constexpr bool take(std::size_t n) noexcept {
    if (failed_ || n > remaining()) {
      failed_ = true;
      return false;
    }
    position_ += n;
    return true;
  }

  Bytes bytes_{};
  std::size_t position_ = 0;
  bool failed_ = false;
};

}  // namespace pa::base
