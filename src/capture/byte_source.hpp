#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace pa::capture {

// A stream of bytes for the capture readers: a file descriptor, or a decompressor over another
// source. The readers see only this, so gzip, zstd, files and standard input are one path.
// Called once per buffer refill (about 256 KiB), never per record.
class ByteSource {
 public:
  virtual ~ByteSource() = default;

  // Reads up to into.size() bytes: at least one, unless the stream ended or failed, when it
  // returns 0 (and keeps returning 0). After a failure, error() says what went wrong.
  virtual std::size_t read(std::span<std::uint8_t> into) = 0;

  // Empty unless the stream failed: a phrase such as "gzip data cut short" or
  // "read failed (Input/output error)", without the file name or offset.
  [[nodiscard]] const std::string& error() const noexcept { return error_; }

  // True for a decompressor: offsets are then in the decompressed stream.
  [[nodiscard]] virtual bool decompressed() const noexcept { return false; }

 protected:
  std::string error_;
};

// Reads a descriptor with large read(2) calls. Bytes given to unread() (the magic number
// that format detection looked at) are served again first.
class DescriptorSource : public ByteSource {
 public:
  DescriptorSource(int fd, bool owns_fd) noexcept : fd_(fd), owns_fd_(owns_fd) {}
  DescriptorSource(const DescriptorSource&) = delete;
  DescriptorSource& operator=(const DescriptorSource&) = delete;
  ~DescriptorSource() override;

  std::size_t read(std::span<std::uint8_t> into) override;

  // At most 8 bytes, given back before anything else has been read past them.
  void unread(std::span<const std::uint8_t> bytes) noexcept;

 private:
  int fd_;
  bool owns_fd_;
  bool ended_ = false;
  std::array<std::uint8_t, 8> pushed_back_{};
  std::size_t pushed_back_size_ = 0;
  std::size_t pushed_back_position_ = 0;
};

// gzip (RFC 1952) through zlib, including several members one after the other (what `cat
// a.gz b.gz` makes). Bytes after the last member that do not start another one are ignored,
// as gzip(1) does.
std::unique_ptr<ByteSource> make_gzip_source(std::unique_ptr<ByteSource> compressed);

// zstd (RFC 8878) through libzstd's streaming API, which also reads concatenated frames and
// skips skippable frames.
std::unique_ptr<ByteSource> make_zstd_source(std::unique_ptr<ByteSource> compressed);

}  // namespace pa::capture
