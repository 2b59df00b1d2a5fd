#pragma once

// What the fuzz targets share: a check that stops the run loudly (libFuzzer and the replay main
// both report an abort as a crash), and a reader that walks input bytes without running off them.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <span>
#include <string_view>

#define PA_FUZZ_CHECK(condition)                                                         \
  do {                                                                                   \
    if (!(condition)) {                                                                  \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (false)

namespace pa::fuzz {

// Hands out the fuzzer's bytes as the fields of a structured input; past the end every field
// reads as zero and every span as empty, so any input is a valid one.
class InputSplitter {
 public:
  explicit InputSplitter(std::span<const std::uint8_t> bytes) noexcept : bytes_(bytes) {}

  [[nodiscard]] bool empty() const noexcept { return position_ >= bytes_.size(); }

  std::uint8_t u8() noexcept { return empty() ? 0 : bytes_[position_++]; }
  std::uint16_t u16() noexcept {
    const auto high = u8();
    return static_cast<std::uint16_t>(high << 8 | u8());
  }
  std::uint32_t u32() noexcept {
    const std::uint32_t high = u16();
    return high << 16 | u16();
  }

  // Up to n bytes.
  std::span<const std::uint8_t> bytes(std::size_t n) noexcept {
    const std::size_t left = bytes_.size() - position_;
    if (n > left) n = left;
    const auto taken = bytes_.subspan(position_, n);
    position_ += n;
    return taken;
  }
  std::span<const std::uint8_t> rest() noexcept { return bytes(bytes_.size() - position_); }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t position_ = 0;
};

// Whether `inner` lies within `outer`: decoded views must point into the bytes they came from.
inline bool within(std::span<const std::uint8_t> inner, std::span<const std::uint8_t> outer) {
  if (inner.empty()) return true;
  // std::less orders any two pointers, even into different arrays.
  const std::less<const std::uint8_t*> before;
  return !before(inner.data(), outer.data()) &&
         !before(outer.data() + outer.size(), inner.data() + inner.size());
}

// Reads every byte of a span the code under test handed out, so that ASan sees a span that
// points past its buffer or into freed memory.
inline volatile unsigned touched_bytes_sink = 0;
inline void touch(std::span<const std::uint8_t> bytes) {
  unsigned sum = 0;
  for (const std::uint8_t b : bytes) sum += b;
  touched_bytes_sink = sum;
}

// Whether every byte is printable ASCII (the report form of a name promises it).
inline bool printable_ascii(std::string_view text) {
  for (const char c : text) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace pa::fuzz
