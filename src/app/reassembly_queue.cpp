#include "app/reassembly_queue.hpp"

#include <cstring>

namespace pa::app {

bool ReassemblyQueue::add_record(std::uint64_t packet_number, const capture::PacketRecord& record) {
  if (given_up()) return false;
  const EntryHeader header{packet_number,          record.timestamp_ns,
                           record.original_length, static_cast<std::uint32_t>(record.data.size()),
                           record.link_type,       record.interface_known};
  const std::size_t at = filling_.size();
  filling_.resize(at + sizeof header + record.data.size());
  std::memcpy(filling_.data() + at, &header, sizeof header);
  if (!record.data.empty()) {
    std::memcpy(filling_.data() + at + sizeof header, record.data.data(), record.data.size());
  }
  return filling_.size() < chunk_bytes || hand_over();
}

bool ReassemblyQueue::hand_over() {
  std::unique_lock lock(state_mutex_);
  changed_.wait(lock, [this] { return chunks_.size() < chunk_limit || given_up(); });
  if (given_up()) return false;
  chunks_.push_back(std::move(filling_));
  filling_ = {};
  filling_.reserve(chunk_bytes + (chunk_bytes >> 2));
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
    if (chunks_.empty()) return Taken::ended;
    reading_ = std::move(chunks_.front());
    chunks_.pop_front();
    read_at_ = 0;
    changed_.notify_all();
  }
  EntryHeader header{};
  std::memcpy(&header, reading_.data() + read_at_, sizeof header);
  read_at_ += sizeof header;
  packet_number = header.packet_number;
  record.timestamp_ns = header.timestamp_ns;
  record.original_length = header.original_length;
  record.link_type = header.link_type;
  record.interface_known = header.interface_known;
  record.data = {reading_.data() + read_at_, header.captured_length};
  read_at_ += header.captured_length;
  return Taken::record;
}

void ReassemblyQueue::give_up() {
  std::unique_lock lock(state_mutex_);
  given_up_.store(true, std::memory_order_relaxed);
  chunks_.clear();
  changed_.notify_all();
}

}  // namespace pa::app
