#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "analysis/analyzer.hpp"

namespace pa::app {

// The name tables of the pieces the stage has accepted, added up on a thread of their own.
// Counts add up in any order, so this work need not wait for the stage's: with a million
// distinct names, merging them on the stage made -j 2 slower than one thread (the stage
// inserted every name again while the readers waited for it; docs/performance.md).
class NameFolder {
 public:
  // How many tables may wait to be folded before fold() waits: bounds their memory.
  static constexpr std::size_t waiting_limit = 2;

  NameFolder();
  ~NameFolder();
  NameFolder(const NameFolder&) = delete;
  NameFolder& operator=(const NameFolder&) = delete;

  // Hands over one table (report-form names and their types, any order).
  void fold(std::vector<analysis::NameCount> rows);

  struct Folded {
    std::vector<analysis::NameCount> rows;  // one per name and type, in report order
    std::uint64_t total = 0;                // the sum of every count folded
  };
  // Waits for every table handed over and returns their sum; rethrows what the thread threw.
  // Call once, last.
  Folded take_folded();

 private:
  void run();

  struct NameTypeHash {
    std::size_t operator()(const std::pair<std::string, std::uint16_t>& key) const noexcept {
      return std::hash<std::string>{}(key.first) * 31 + key.second;
    }
  };
  std::unordered_map<std::pair<std::string, std::uint16_t>, std::uint64_t, NameTypeHash> counts_;
  std::uint64_t total_ = 0;

  std::mutex state_mutex_;
  std::condition_variable changed_;
  std::deque<std::vector<analysis::NameCount>> waiting_;
  bool folding_ = false;  // the thread holds a table it took
  bool closing_ = false;
  std::exception_ptr failure_;
  std::thread folding_thread_;
};

}  // namespace pa::app
