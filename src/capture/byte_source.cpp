#include "capture/byte_source.hpp"

#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <new>
#include <vector>

namespace pa::capture {

DescriptorSource::~DescriptorSource() {
  if (owns_fd_) ::close(fd_);
}

void DescriptorSource::unread(std::span<const std::uint8_t> bytes) noexcept {
  const std::size_t n = std::min(bytes.size(), pushed_back_.size());
  std::copy_n(bytes.begin(), n, pushed_back_.begin());
  pushed_back_size_ = n;
  pushed_back_position_ = 0;
}

std::size_t DescriptorSource::read(std::span<std::uint8_t> into) {
  if (into.empty()) return 0;
  if (pushed_back_position_ < pushed_back_size_) {
    const std::size_t n = std::min(into.size(), pushed_back_size_ - pushed_back_position_);
    std::copy_n(pushed_back_.begin() + static_cast<std::ptrdiff_t>(pushed_back_position_), n,
                into.begin());
    pushed_back_position_ += n;
    return n;
  }
  if (ended_) return 0;
  // read(2) moves at most about 2 GiB at once on Linux; records are far smaller anyway.
  const std::size_t wanted = std::min<std::size_t>(into.size(), std::size_t{1} << 30);
  for (;;) {
    const ssize_t n = ::read(fd_, into.data(), wanted);
    if (n > 0) return static_cast<std::size_t>(n);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) error_ = std::string("read failed (") + std::strerror(errno) + ")";
    ended_ = true;
    return 0;
  }
}

namespace {

constexpr std::size_t compressed_buffer_size = std::size_t{256} << 10;

// Keeps the compressed bytes between reads of the inner source.
class CompressedInput {
 public:
  explicit CompressedInput(std::unique_ptr<ByteSource> source)
      : source_(std::move(source)), bytes_(compressed_buffer_size) {}

  [[nodiscard]] const std::uint8_t* data() const noexcept { return bytes_.data() + begin_; }
  [[nodiscard]] std::size_t size() const noexcept { return end_ - begin_; }
  void consume(std::size_t n) noexcept { begin_ += n; }

  // Reads more, keeping what is unconsumed; false at the end of the inner source.
  bool refill() {
    if (begin_ > 0) {
      std::memmove(bytes_.data(), bytes_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    const std::size_t n = source_->read(std::span(bytes_).subspan(end_));
    end_ += n;
    return n > 0;
  }

  [[nodiscard]] const std::string& error() const noexcept { return source_->error(); }

 private:
  std::unique_ptr<ByteSource> source_;
  std::vector<std::uint8_t> bytes_;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
};

class GzipSource : public ByteSource {
 public:
  explicit GzipSource(std::unique_ptr<ByteSource> compressed) : input_(std::move(compressed)) {
    // 16 + MAX_WBITS: a gzip wrapper, not zlib's (zlib.h, inflateInit2).
    if (inflateInit2(&stream_, 16 + MAX_WBITS) != Z_OK) throw std::bad_alloc();
  }
  GzipSource(const GzipSource&) = delete;
  GzipSource& operator=(const GzipSource&) = delete;
  ~GzipSource() override { inflateEnd(&stream_); }

  [[nodiscard]] bool decompressed() const noexcept override { return true; }

  std::size_t read(std::span<std::uint8_t> into) override {
    if (ended_ || into.empty()) return 0;
    for (;;) {
      if (member_ended_ && !start_next_member()) return end();
      // zlib counts in uInt; a smaller slice is simply returned sooner.
      const auto out_size =
          static_cast<uInt>(std::min<std::size_t>(into.size(), std::numeric_limits<uInt>::max()));
      const auto in_size =
          static_cast<uInt>(std::min<std::size_t>(input_.size(), std::numeric_limits<uInt>::max()));
      stream_.next_in = const_cast<Bytef*>(input_.data());  // zlib's API is not const
      stream_.avail_in = in_size;
      stream_.next_out = into.data();
      stream_.avail_out = out_size;
      const int status = inflate(&stream_, Z_NO_FLUSH);
      input_.consume(in_size - stream_.avail_in);
      const std::size_t produced = out_size - stream_.avail_out;
      if (status == Z_STREAM_END) {
        member_ended_ = true;
      } else if (status != Z_OK && status != Z_BUF_ERROR) {
        // What was inflated before the error is handed out; the error ends the stream.
        fail(std::string("corrupt gzip data (") +
             (stream_.msg != nullptr ? stream_.msg : zError(status)) + ")");
        return produced;
      }
      if (produced > 0) return produced;
      if (member_ended_) continue;
      // zlib always makes progress while it has input and room for output; never spin.
      if (stream_.avail_in > 0 && stream_.avail_in == in_size) {
        return fail("corrupt gzip data (no progress)");
      }
      if (stream_.avail_in == 0 && !input_.refill()) {
        return fail(input_.error().empty() ? std::string("gzip data cut short") : input_.error());
      }
    }
  }

 private:
  // After a member, another may follow (RFC 1952 2.2: a file is a series of members).
  bool start_next_member() {
    while (input_.size() < 2 && input_.refill()) {
    }
    if (!input_.error().empty()) {
      error_ = input_.error();
      return false;
    }
    if (input_.size() < 2 || input_.data()[0] != 0x1F || input_.data()[1] != 0x8B) return false;
    inflateReset(&stream_);
    member_ended_ = false;
    return true;
  }

  std::size_t end() noexcept {
    ended_ = true;
    return 0;
  }

  std::size_t fail(std::string error) {
    error_ = std::move(error);
    return end();
  }

  CompressedInput input_;
  z_stream stream_{};
  bool member_ended_ = false;
  bool ended_ = false;
};

class ZstdSource : public ByteSource {
 public:
  explicit ZstdSource(std::unique_ptr<ByteSource> compressed)
      : input_(std::move(compressed)), context_(ZSTD_createDStream()) {
    if (context_ == nullptr) throw std::bad_alloc();
  }
  ZstdSource(const ZstdSource&) = delete;
  ZstdSource& operator=(const ZstdSource&) = delete;
  ~ZstdSource() override { ZSTD_freeDStream(context_); }

  [[nodiscard]] bool decompressed() const noexcept override { return true; }

  std::size_t read(std::span<std::uint8_t> into) override {
    if (ended_ || into.empty()) return 0;
    for (;;) {
      // Between frames, only new input can start another; inside one, the decoder may still
      // hold output, so it is called before more input is read.
      if (input_.size() == 0 && !in_frame_ && !input_.refill()) {
        if (!input_.error().empty()) return fail(input_.error());
        ended_ = true;
        return 0;
      }
      ZSTD_inBuffer in{input_.data(), input_.size(), 0};
      ZSTD_outBuffer out{into.data(), into.size(), 0};
      const std::size_t status = ZSTD_decompressStream(context_, &out, &in);
      input_.consume(in.pos);
      if (ZSTD_isError(status) != 0) {
        // What was decoded before the error is handed out; the error ends the stream.
        fail(std::string("corrupt zstd data (") + ZSTD_getErrorName(status) + ")");
        return out.pos;
      }
      // 0: a frame is complete and flushed; anything else: the frame goes on.
      in_frame_ = status != 0;
      if (out.pos > 0) return out.pos;
      if (input_.size() > 0) {
        // libzstd always makes progress while it has input and room for output; never spin.
        if (in.pos == 0) return fail("corrupt zstd data (no progress)");
        continue;
      }
      if (in_frame_ && !input_.refill()) {
        return fail(input_.error().empty() ? std::string("zstd data cut short") : input_.error());
      }
    }
  }

 private:
  std::size_t fail(std::string error) {
    error_ = std::move(error);
    ended_ = true;
    return 0;
  }

  CompressedInput input_;
  ZSTD_DStream* context_;
  bool in_frame_ = false;
  bool ended_ = false;
};

}  // namespace

std::unique_ptr<ByteSource> make_gzip_source(std::unique_ptr<ByteSource> compressed) {
  return std::make_unique<GzipSource>(std::move(compressed));
}

std::unique_ptr<ByteSource> make_zstd_source(std::unique_ptr<ByteSource> compressed) {
  return std::make_unique<ZstdSource>(std::move(compressed));
}

}  // namespace pa::capture
