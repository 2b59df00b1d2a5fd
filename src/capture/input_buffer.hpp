#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "capture/byte_source.hpp"

namespace pa::capture {

// The readers' window on a byte source, from which records are handed out as spans. Bytes
// handed out stay put until the next ensure() that has to read, which may move them.
//
// A source that can never wait on another process (a regular file, or a decompressor over
// one) is read ahead on a thread of its own: while the caller walks one chunk, the next is
// read (and decompressed) into another, so the kernel's copy overlaps the decoding. The end
// of a chunk is joined to the next by copying the partial record in front of it. Other
// sources (pipes, terminals) are read on the caller's thread, so that nothing is left
// blocked in read(2) when the caller stops early.
class InputBuffer {
 public:
  // Bytes per read: per chunk when reading ahead, the first buffer size otherwise.
  static constexpr std::size_t initial_capacity = std::size_t{1} << 20;

  explicit InputBuffer(std::unique_ptr<ByteSource> source, std::size_t capacity = initial_capacity);
  InputBuffer(InputBuffer&& other) noexcept;
  InputBuffer& operator=(InputBuffer&&) = delete;
  InputBuffer(const InputBuffer&) = delete;
  InputBuffer& operator=(const InputBuffer&) = delete;
  ~InputBuffer();

  // Makes at least n bytes available at data(), reading as needed; false when the stream ends
  // (or fails) first, with available() < n. The caller bounds n: the buffer grows to fit it.
  // Rethrows what the source threw while reading.
  bool ensure(std::size_t n) { return end_ - begin_ >= n || fill(n); }

  [[nodiscard]] const std::uint8_t* data() const noexcept { return base_ + begin_; }
  [[nodiscard]] std::size_t available() const noexcept { return end_ - begin_; }
  void consume(std::size_t n) noexcept {
    begin_ += n;
    offset_ += n;
  }

  // Offset of data() in the stream (decompressed, for a compressed file).
  [[nodiscard]] std::uint64_t offset() const noexcept { return offset_; }

  // While reading ahead, the source belongs to the reading thread: its error() is settled
  // only once ensure() has said no.
  [[nodiscard]] const ByteSource& source() const noexcept { return *source_; }

  // Whether this buffer reads on a thread of its own (set at the first read).
  [[nodiscard]] bool reading_ahead() const noexcept { return ahead_ != nullptr; }

 private:
  class ReadAhead;

  bool fill(std::size_t n);
  bool fill_here(std::size_t n);
  bool fill_from_chunks(std::size_t n);
  bool fill_oversized(std::size_t n);

  std::unique_ptr<ByteSource> source_;
  std::unique_ptr<ReadAhead> ahead_;  // after source_: stops its thread before source_ goes
  // The buffer when reading here; when reading ahead, where a record too large for a chunk's
  // headroom is put together.
  std::unique_ptr<std::uint8_t[]> bytes_;
  std::size_t bytes_capacity_ = 0;
  std::size_t chunk_size_;
  const std::uint8_t* base_ = nullptr;  // the buffer begin_ and end_ count from
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  std::uint64_t offset_ = 0;
  bool started_ = false;
  bool ended_ = false;
};

}  // namespace pa::capture
