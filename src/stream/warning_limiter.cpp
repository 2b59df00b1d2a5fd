#include "stream/warning_limiter.hpp"

#include <fmt/format.h>

namespace pa::stream {

WarningLimiter::WarningLimiter(std::function<void(std::string_view)> sink, Clock::duration period)
    : sink_(std::move(sink)), period_(period) {}

WarningLimiter::~WarningLimiter() { flush(); }

void WarningLimiter::warn(std::string_view kind, std::string_view message, Clock::time_point now) {
  auto found = kinds_.find(kind);
  if (found == kinds_.end()) {
    kinds_.emplace(std::string(kind), Kind{now, 0, {}});
    sink_(message);
    return;
  }
  Kind& seen = found->second;
  if (now - seen.last_said < period_) {
    ++seen.held_back;
    seen.last_message = message;
    return;
  }
  seen.last_said = now;
  if (seen.held_back == 0) {
    sink_(message);
    return;
  }
  sink_(fmt::format("{} ({} more like it held back since the last one shown)", message,
                    seen.held_back));
  seen.held_back = 0;
}

void WarningLimiter::flush() {
  for (auto& [kind, seen] : kinds_) {
    if (seen.held_back == 0) continue;
    sink_(fmt::format("{} more warning{} like this one held back: {}", seen.held_back,
                      seen.held_back == 1 ? "" : "s", seen.last_message));
    seen.held_back = 0;
  }
}

}  // namespace pa::stream
