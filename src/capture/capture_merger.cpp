#include "capture/capture_merger.hpp"

#include <utility>

namespace pa::capture {

CaptureMerger::CaptureMerger(std::vector<std::unique_ptr<CaptureReader>> readers)
    : readers_(std::move(readers)), heads_(readers_.size()) {
  heap_.reserve(readers_.size());
}

void CaptureMerger::sift_down(std::size_t position) noexcept {
  const std::size_t size = heap_.size();
  const std::size_t file = heap_[position];
  for (;;) {
    std::size_t child = 2 * position + 1;
    if (child >= size) break;
    if (child + 1 < size && before(heap_[child + 1], heap_[child])) ++child;
    if (!before(heap_[child], file)) break;
    heap_[position] = heap_[child];
    position = child;
  }
  heap_[position] = file;
}

bool CaptureMerger::next(PacketRecord& record) {
  if (readers_.size() == 1) {  // nothing to merge
    return readers_[0]->next(record);
  }
  if (!started_) {
    // Every file's first record; then heapify.
    started_ = true;
    for (std::size_t file = 0; file < readers_.size(); ++file) {
      if (readers_[file]->next(heads_[file])) heap_.push_back(file);
    }
    for (std::size_t i = heap_.size() / 2; i-- > 0;) sift_down(i);
  } else if (!heap_.empty()) {
    // The record handed out last time came from the front file: only now may that reader
    // move on, which invalidates it.
    if (readers_[heap_.front()]->next(heads_[heap_.front()])) {
      sift_down(0);
    } else {
      heap_.front() = heap_.back();
      heap_.pop_back();
      if (!heap_.empty()) sift_down(0);
    }
  }
  if (heap_.empty()) return false;
  current_ = heap_.front();
  record = heads_[current_];
  return true;
}

std::vector<ReadProblem> CaptureMerger::problems() const {
  std::vector<ReadProblem> problems;
  for (const auto& reader : readers_) {
    if (reader->problem()) problems.push_back(*reader->problem());
  }
  return problems;
}

}  // namespace pa::capture
