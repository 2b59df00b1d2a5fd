#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

#include "capture/packet_record.hpp"

namespace pa::app {

// Chunks the stage has read, kept for the readers to fill again, over all the pieces of a run:
// a new chunk costs a page fault per 4 KiB page the first time it is written, and the allocator
// gives freed ones back to the system. Such faults were more than half of a -j 2 run's.
class ChunkPool {
 public:
  static constexpr std::size_t kept = 8;

  // An empty chunk that can hold `capacity` bytes.
  std::vector<std::uint8_t> take(std::size_t capacity);
  // Keeps `chunk` when fewer than `kept` wait, else frees it.
  void give(std::vector<std::uint8_t> chunk);

 private:
  std::mutex spare_mutex_;
  std::vector<std::vector<std::uint8_t>> spare_;
};

// The records of one piece of the input that need reassembly (those that
// PacketDissector::dissect_or_defer defers), on their way from the thread that reads the piece
// to the one reassembly stage, which takes the pieces in processing order. Records travel
// copied, in chunks (app/record_chunk); a reader that runs ahead of the stage waits once
// chunk_limit chunks are queued, so a piece holds at most about (chunk_limit + 1) * chunk_bytes.
class ReassemblyQueue {
 public:
  static constexpr std::size_t chunk_bytes = std::size_t{256} << 10;
  // About what a 250 MB piece of a usual capture defers (fragments and DNS over TCP are about
  // 0.8 % of the bytes of the generated office capture): with 3, the reader of the second
  // piece stood waiting for the stage to finish the first.
  static constexpr std::size_t chunk_limit = 8;
  // What a chunk is given at once, so that it does not grow by doubling: a chunk hands over
  // once it holds chunk_bytes, after one record that may be larger than the rest.
  static constexpr std::size_t chunk_capacity = chunk_bytes + (chunk_bytes >> 2);

  enum class Taken : std::uint8_t { record, waiting, ended };

  // Chunks come from and go back to `pool`, which must outlive the queue; its own pool when
  // none is given.
  explicit ReassemblyQueue(ChunkPool* pool = nullptr) : chunk_pool_(pool ? pool : &own_pool_) {}

  // Reader's side. False once the queue is given_up: the piece is not wanted any more.
  bool add_record(std::uint64_t packet_number, const capture::PacketRecord& record);
  // No more records: the last chunk is handed over.
  void close();

  // Stage's side: the next record (its bytes valid until the next take_record), waiting when none
  // came within `wait`, or ended once the queue is closed and empty.
  Taken take_record(std::uint64_t& packet_number, capture::PacketRecord& record,
                    std::chrono::milliseconds wait);
  // Either side: forget the records and release a waiting reader.
  void give_up();
  [[nodiscard]] bool given_up() const noexcept { return given_up_.load(std::memory_order_relaxed); }

 private:
  bool hand_over();

  ChunkPool own_pool_;
  ChunkPool* chunk_pool_;

  std::vector<std::uint8_t> filling_;  // the reader's

  std::mutex state_mutex_;
  std::condition_variable changed_;
  std::deque<std::vector<std::uint8_t>> chunks_;
  bool closed_ = false;
  std::atomic<bool> given_up_ = false;

  std::vector<std::uint8_t> reading_;  // the stage's
  std::size_t read_at_ = 0;
};

}  // namespace pa::app
