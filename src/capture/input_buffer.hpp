#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "capture/byte_source.hpp"

namespace pa::capture {

// The readers' window on a byte source: one buffer (256 KiB to start) filled with large reads,
// from which records are handed out as spans. Bytes handed out stay put until the next
// ensure() that has to read, which may move or reallocate them. 256 KiB reads ran 2 to 3 %
// faster than 1 MiB ones, at -j 1 and -j 2 alike (15 alternated runs, docs/performance.md):
// the bytes are still in the cache when the records are walked, and -j N touches less memory.
//
// Reads happen on the caller's thread. Reading ahead on a second thread, so that the kernel's
// copy overlaps the decoding, was measured and did not win clearly on a shared two-core
// machine while costing more CPU time (docs/performance.md).
class InputBuffer {
 public:
  static constexpr std::size_t initial_capacity = std::size_t{256} << 10;

  // `start_offset`: where in the stream the source's first byte is (a source that begins
  // part-way into a file), so that offsets in messages are the file's.
  explicit InputBuffer(std::unique_ptr<ByteSource> source, std::size_t capacity = initial_capacity,
                       std::uint64_t start_offset = 0);

  // Makes at least n bytes available at data(), reading as needed; false when the stream ends
  // (or fails) first, with available() < n. The caller bounds n: the buffer grows to fit it.
  bool ensure(std::size_t n) { return end_ - begin_ >= n || fill(n); }

  [[nodiscard]] const std::uint8_t* data() const noexcept { return bytes_.get() + begin_; }
  [[nodiscard]] std::size_t available() const noexcept { return end_ - begin_; }
  void consume(std::size_t n) noexcept {
    begin_ += n;
    offset_ += n;
  }

  // Offset of data() in the stream (decompressed, for a compressed file).
  [[nodiscard]] std::uint64_t offset() const noexcept { return offset_; }

  [[nodiscard]] const ByteSource& source() const noexcept { return *source_; }

 private:
  bool fill(std::size_t n);

  std::unique_ptr<ByteSource> source_;
  std::unique_ptr<std::uint8_t[]> bytes_;
  std::size_t capacity_;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  std::uint64_t offset_ = 0;
  bool ended_ = false;
};

}  // namespace pa::capture
