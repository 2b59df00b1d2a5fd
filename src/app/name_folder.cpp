#include "app/name_folder.hpp"

#include <algorithm>

namespace pa::app {

NameFolder::NameFolder() : folding_thread_([this] { run(); }) {}

NameFolder::~NameFolder() {
  {
    const std::lock_guard lock(state_mutex_);
    closing_ = true;
  }
  changed_.notify_all();
  folding_thread_.join();
}

void NameFolder::fold(std::vector<analysis::NameCount> rows) {
  if (rows.empty()) return;
  std::unique_lock lock(state_mutex_);
  changed_.wait(lock, [this] { return waiting_.size() < waiting_limit || failure_; });
  if (failure_) return;  // take_folded() rethrows it
  waiting_.push_back(std::move(rows));
  changed_.notify_all();
}

void NameFolder::run() {
  for (;;) {
    std::vector<analysis::NameCount> rows;
    {
      std::unique_lock lock(state_mutex_);
      changed_.wait(lock, [this] { return !waiting_.empty() || closing_; });
      if (waiting_.empty()) return;
      rows = std::move(waiting_.front());
      waiting_.pop_front();
      folding_ = true;
    }
    changed_.notify_all();
    try {
      if (counts_.empty()) counts_.reserve(rows.size());
      for (analysis::NameCount& row : rows) {
        counts_.try_emplace({std::move(row.name), row.type}, 0).first->second += row.count;
        total_ += row.count;
      }
    } catch (...) {
      const std::lock_guard lock(state_mutex_);
      failure_ = std::current_exception();
    }
    rows = {};
    {
      const std::lock_guard lock(state_mutex_);
      folding_ = false;
    }
    changed_.notify_all();
  }
}

NameFolder::Folded NameFolder::take_folded() {
  {
    std::unique_lock lock(state_mutex_);
    changed_.wait(lock, [this] { return (waiting_.empty() && !folding_) || failure_; });
    if (failure_) std::rethrow_exception(failure_);
  }
  // The thread holds nothing now and takes nothing more: counts_ is this thread's to read.
  Folded folded;
  folded.total = total_;
  folded.rows.reserve(counts_.size());
  while (!counts_.empty()) {
    auto node = counts_.extract(counts_.begin());
    folded.rows.push_back({std::move(node.key().first), node.mapped(), node.key().second});
  }
  std::sort(folded.rows.begin(), folded.rows.end(), analysis::report_order);
  return folded;
}

}  // namespace pa::app
