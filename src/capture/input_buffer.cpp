#include "capture/input_buffer.hpp"

#include <pthread.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>

namespace pa::capture {

namespace {

// Room in front of each chunk for the start of a record that began in the previous chunk.
// Records are almost always far smaller (libpcap's largest snapshot length is 256 KiB); a
// larger one is put together in a buffer of its own.
constexpr std::size_t max_headroom = std::size_t{256} << 10;

// One chunk for the caller, one being read, one spare so that neither side waits on a
// small hiccup of the other.
constexpr std::size_t chunk_count = 3;

// Captures merged from many files each have a reader; with more reading threads than this
// in the process, further buffers read on the caller's thread, keeping memory bounded.
constexpr int max_reading_threads = 4;
std::atomic<int> reading_threads{0};

std::size_t round_up(std::size_t n, std::size_t unit) { return (n + unit - 1) / unit * unit; }

}  // namespace

// The reading thread and its chunks. Each chunk is headroom + chunk_size bytes, filled from
// the headroom on. Chunks go round in a ring: the caller holds one (the one data() points
// into), `ready_` follow it, and the thread fills the next, so it never writes to a chunk the
// caller holds or has yet to take.
class InputBuffer::ReadAhead {
 public:
  struct Chunk {
    std::unique_ptr<std::uint8_t[]> bytes;
    std::size_t size = 0;  // bytes read after the headroom
    bool last = false;     // the source ended (or failed, or threw) in this chunk
    std::exception_ptr failure;
  };

  // nullptr when the process already has its share of reading threads.
  static std::unique_ptr<ReadAhead> start(ByteSource& source, std::size_t chunk_size,
                                          std::size_t headroom) {
    if (reading_threads.fetch_add(1) >= max_reading_threads) {
      reading_threads.fetch_sub(1);
      return nullptr;
    }
    try {
      return std::unique_ptr<ReadAhead>(new ReadAhead(source, chunk_size, headroom));
    } catch (...) {
      reading_threads.fetch_sub(1);
      throw;
    }
  }

  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;

  ~ReadAhead() {
    {
      const std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
    reading_threads.fetch_sub(1);
  }

  [[nodiscard]] std::size_t headroom() const noexcept { return headroom_; }
  [[nodiscard]] bool exhausted() const noexcept { return exhausted_; }
  [[nodiscard]] const std::exception_ptr& failure() const noexcept { return failure_; }

  // Waits for the next chunk. The chunk taken before stays the caller's until advance().
  Chunk& wait_next() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return ready_ > 0; });
    return chunks_[take_index_];
  }

  // Makes the chunk wait_next() returned the caller's, giving the one held before back to
  // the thread.
  void advance() {
    const Chunk& taken = chunks_[take_index_];
    if (taken.last) {
      exhausted_ = true;
      failure_ = taken.failure;
    }
    {
      const std::lock_guard lock(mutex_);
      take_index_ = (take_index_ + 1) % chunk_count;
      --ready_;
      holding_ = 1;
    }
    changed_.notify_all();
  }

 private:
  ReadAhead(ByteSource& source, std::size_t chunk_size, std::size_t headroom)
      : source_(source), chunk_size_(chunk_size), headroom_(headroom) {
    for (Chunk& chunk : chunks_) {
      chunk.bytes = std::make_unique_for_overwrite<std::uint8_t[]>(headroom + chunk_size);
    }
    thread_ = std::thread([this] { run(); });
  }

  void run() noexcept {
    // Signals are the caller's business (the application takes them on a thread of its own).
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, nullptr);
    for (;;) {
      std::size_t index = 0;
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [this] { return stopping_ || ready_ + holding_ < chunk_count; });
        if (stopping_) return;
        index = fill_index_;
      }
      Chunk& chunk = chunks_[index];
      std::size_t size = 0;
      bool last = false;
      std::exception_ptr failure;
      try {
        while (size < chunk_size_) {
          const std::size_t got =
              source_.read({chunk.bytes.get() + headroom_ + size, chunk_size_ - size});
          if (got == 0) {
            last = true;
            break;
          }
          size += got;
        }
      } catch (...) {
        failure = std::current_exception();
        last = true;
      }
      {
        const std::lock_guard lock(mutex_);
        chunk.size = size;
        chunk.last = last;
        chunk.failure = std::move(failure);
        fill_index_ = (fill_index_ + 1) % chunk_count;
        ++ready_;
      }
      changed_.notify_all();
      if (last) return;
    }
  }

  ByteSource& source_;
  const std::size_t chunk_size_;
  const std::size_t headroom_;
  std::array<Chunk, chunk_count> chunks_;

  std::mutex mutex_;
  std::condition_variable changed_;
  // Under mutex_:
  std::size_t ready_ = 0;       // chunks read and not yet taken
  std::size_t holding_ = 0;     // 1 once the caller holds a chunk
  std::size_t take_index_ = 0;  // the next chunk to take
  std::size_t fill_index_ = 0;  // the next chunk to fill
  bool stopping_ = false;

  // The caller's alone:
  bool exhausted_ = false;  // the last chunk was taken
  std::exception_ptr failure_;

  std::thread thread_;  // last: starts once everything above is ready
};

InputBuffer::InputBuffer(std::unique_ptr<ByteSource> source, std::size_t capacity)
    : source_(std::move(source)), chunk_size_(capacity) {}

InputBuffer::InputBuffer(InputBuffer&& other) noexcept = default;

InputBuffer::~InputBuffer() = default;

bool InputBuffer::fill(std::size_t n) {
  if (ended_) return false;
  if (!started_) {
    started_ = true;
    if (source_->reads_regular_file()) {
      ahead_ = ReadAhead::start(*source_, chunk_size_, std::min(chunk_size_, max_headroom));
    }
  }
  return ahead_ != nullptr ? fill_from_chunks(n) : fill_here(n);
}

bool InputBuffer::fill_here(std::size_t n) {
  const std::size_t held = end_ - begin_;
  if (n > bytes_capacity_) {
    // The first read, or a record larger than the buffer (the readers refuse absurd sizes
    // before asking). Grow in whole chunks so that a run of slightly larger records grows it
    // once.
    const std::size_t capacity = std::max(chunk_size_, round_up(n, chunk_size_));
    auto bytes = std::make_unique_for_overwrite<std::uint8_t[]>(capacity);
    if (held > 0) std::memcpy(bytes.get(), base_ + begin_, held);
    bytes_ = std::move(bytes);
    bytes_capacity_ = capacity;
  } else if (begin_ > 0 && held > 0) {
    // Only the start of one record is left: moving it is cheap next to the read.
    std::memmove(bytes_.get(), bytes_.get() + begin_, held);
  }
  base_ = bytes_.get();
  begin_ = 0;
  end_ = held;
  while (end_ < n) {
    const std::size_t got = source_->read({bytes_.get() + end_, bytes_capacity_ - end_});
    if (got == 0) {
      ended_ = true;
      return false;
    }
    end_ += got;
  }
  return true;
}

bool InputBuffer::fill_from_chunks(std::size_t n) {
  const std::size_t headroom = ahead_->headroom();
  for (;;) {
    if (ahead_->exhausted()) {
      ended_ = true;
      if (ahead_->failure()) std::rethrow_exception(ahead_->failure());
      return false;
    }
    const std::size_t held = end_ - begin_;
    if (held > headroom || n > headroom + chunk_size_) return fill_oversized(n);
    ReadAhead::Chunk& chunk = ahead_->wait_next();
    std::uint8_t* front = chunk.bytes.get() + headroom - held;
    if (held > 0) std::memcpy(front, base_ + begin_, held);
    const bool left_oversized = base_ == bytes_.get();
    ahead_->advance();
    base_ = chunk.bytes.get();
    begin_ = headroom - held;
    end_ = headroom + chunk.size;
    if (left_oversized) {
      // Records that large are rare: their buffer is not kept.
      bytes_.reset();
      bytes_capacity_ = 0;
    }
    if (end_ - begin_ >= n) return true;
  }
}

bool InputBuffer::fill_oversized(std::size_t n) {
  // The held bytes go to the front of bytes_, sized for n and one more chunk, and whole
  // chunks are appended until n bytes are there.
  const std::size_t held = end_ - begin_;
  const std::size_t wanted = std::max(n, held) + chunk_size_;
  if (wanted > bytes_capacity_) {
    const std::size_t capacity = round_up(wanted, chunk_size_);
    auto bytes = std::make_unique_for_overwrite<std::uint8_t[]>(capacity);
    if (held > 0) std::memcpy(bytes.get(), base_ + begin_, held);
    bytes_ = std::move(bytes);
    bytes_capacity_ = capacity;
  } else if (base_ != bytes_.get()) {
    if (held > 0) std::memcpy(bytes_.get(), base_ + begin_, held);
  } else if (begin_ > 0 && held > 0) {
    std::memmove(bytes_.get(), bytes_.get() + begin_, held);
  }
  base_ = bytes_.get();
  begin_ = 0;
  end_ = held;
  while (end_ < n && !ahead_->exhausted()) {
    const ReadAhead::Chunk& chunk = ahead_->wait_next();
    std::memcpy(bytes_.get() + end_, chunk.bytes.get() + ahead_->headroom(), chunk.size);
    end_ += chunk.size;
    ahead_->advance();
  }
  if (end_ >= n) return true;
  ended_ = true;
  if (ahead_->failure()) std::rethrow_exception(ahead_->failure());
  return false;
}

}  // namespace pa::capture
