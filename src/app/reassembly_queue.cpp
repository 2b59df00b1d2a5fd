#include "app/reassembly_queue.hpp"

#include "app/record_chunk.hpp"

namespace pa::app {

std::vector<std::uint8_t> ChunkPool::take(std::size_t capacity) {
  {
    const std::lock_guard lock(spare_mutex_);
    if (!spare_.empty()) {
      std::vector<std::uint8_t> chunk = std::move(spare_.back());
      spare_.pop_back();
      chunk.clear();
      chunk.reserve(capacity);
      return chunk;
    }
  }
  std::vector<std::uint8_t> chunk;
  chunk.reserve(capacity);
  return chunk;
}

void ChunkPool::give(std::vector<std::uint8_t> chunk) {
  if (chunk.capacity() == 0) return;
  const std::lock_guard lock(spare_mutex_);
  if (spare_.size() < kept) spare_.push_back(std::move(chunk));
}

bool ReassemblyQueue::add_record(std::uint64_t packet_number, const capture::PacketRecord& record) {
  if (given_up()) return false;
  if (filling_.capacity() == 0) filling_ = chunk_pool_->take(chunk_capacity);
  append_chunk_record(filling_, packet_number, record);
  return filling_.size() < chunk_bytes || hand_over();
}

bool ReassemblyQueue::hand_over() {
  std::unique_lock lock(state_mutex_);
  changed_.wait(lock, [this] { return chunks_.size() < chunk_limit || given_up(); });
  if (given_up()) return false;
  chunks_.push_back(std::move(filling_));
  filling_ = chunk_pool_->take(chunk_capacity);
  changed_.notify_all();
  return true;
}

void ReassemblyQueue::close() {
  std::unique_lock lock(state_mutex_);
  if (!filling_.empty() && !given_up()) chunks_.push_back(std::move(filling_));
  filling_ = {};
  closed_ = true;
  changed_.notify_all();
}

ReassemblyQueue::Taken ReassemblyQueue::take_record(std::uint64_t& packet_number,
                                                    capture::PacketRecord& record,
                                                    std::chrono::milliseconds wait) {
  if (read_at_ >= reading_.size()) {
    std::unique_lock lock(state_mutex_);
    if (!changed_.wait_for(lock, wait, [this] { return !chunks_.empty() || closed_; })) {
      return Taken::waiting;
    }
    chunk_pool_->give(std::move(reading_));
    reading_ = {};
    if (chunks_.empty()) return Taken::ended;
    reading_ = std::move(chunks_.front());
    chunks_.pop_front();
    read_at_ = 0;
    changed_.notify_all();
  }
  // The chunk was written by add_record in this process: it is whole.
  (void)read_chunk_record(reading_, read_at_, packet_number, record);
  return Taken::record;
}

void ReassemblyQueue::give_up() {
  std::unique_lock lock(state_mutex_);
  given_up_.store(true, std::memory_order_relaxed);
  for (auto& chunk : chunks_) chunk_pool_->give(std::move(chunk));
  chunks_.clear();
  changed_.notify_all();
}

}  // namespace pa::app
