#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace pa::stream {

// Passes each kind of warning on at most once a period (a second), so that a peer or a fault
// that repeats cannot flood standard error: the ones held back are counted, and the count is
// said with the next one of that kind let through, or by flush() at the end of the run.
class WarningLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  explicit WarningLimiter(std::function<void(std::string_view)> sink,
                          Clock::duration period = std::chrono::seconds(1));
  ~WarningLimiter();
  WarningLimiter(const WarningLimiter&) = delete;
  WarningLimiter& operator=(const WarningLimiter&) = delete;

  void warn(std::string_view kind, std::string_view message, Clock::time_point now = Clock::now());
  // Says how many of each kind were held back since the last one let through.
  void flush();

 private:
  struct Kind {
    Clock::time_point last_said;
    std::uint64_t held_back = 0;
    std::string last_message;
  };

  std::function<void(std::string_view)> sink_;
  Clock::duration period_;
  std::map<std::string, Kind, std::less<>> kinds_;
};

}  // namespace pa::stream
