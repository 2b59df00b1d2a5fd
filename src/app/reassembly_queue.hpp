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

// The records of one piece of the input that need reassembly (those that
// PacketDissector::dissect_or_defer defers), on their way from the thread that reads the piece
// to the one reassembly stage, which takes the pieces in processing order. Records travel
// copied, in chunks (app/record_chunk); a reader that runs ahead of the stage waits once
// chunk_limit chunks are queued, so a piece holds at most about (chunk_limit + 1) * chunk_bytes.
class ReassemblyQueue {
 public:
  static constexpr std::size_t chunk_bytes = std::size_t{256} << 10;
  static constexpr std::size_t chunk_limit = 3;

  enum class Taken : std::uint8_t { record, waiting, ended };

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
