#include "capture/input_buffer.hpp"

#include <cstring>

namespace pa::capture {

InputBuffer::InputBuffer(std::unique_ptr<ByteSource> source, std::size_t capacity,
                         std::uint64_t start_offset)
    : source_(std::move(source)),
      bytes_(std::make_unique_for_overwrite<std::uint8_t[]>(capacity)),
      capacity_(capacity),
      offset_(start_offset) {}

bool InputBuffer::fill(std::size_t n) {
  if (ended_) return false;
  const std::size_t held = end_ - begin_;
  if (n > capacity_) {
    // A record larger than the buffer (the readers refuse absurd sizes before asking). Grow
    // in whole initial capacities so that a run of slightly larger records grows it once.
    const std::size_t capacity = (n + initial_capacity - 1) / initial_capacity * initial_capacity;
    auto bytes = std::make_unique_for_overwrite<std::uint8_t[]>(capacity);
    std::memcpy(bytes.get(), bytes_.get() + begin_, held);
    bytes_ = std::move(bytes);
    capacity_ = capacity;
  } else if (begin_ > 0) {
    // Only the start of one record is left: moving it is cheap next to the read.
    std::memmove(bytes_.get(), bytes_.get() + begin_, held);
  }
  begin_ = 0;
  end_ = held;
  while (end_ < n) {
    const std::size_t got = source_->read({bytes_.get() + end_, capacity_ - end_});
    if (got == 0) {
      ended_ = true;
      return false;
    }
    end_ += got;
  }
  return true;
}

}  // namespace pa::capture
