#pragma once

#include <cstdint>

namespace pa::reassembly {

// Whether `now` is more than `limit` after `then`, on capture timestamps. Timestamps come from
// the file and may be anything, so the difference is taken without signed overflow; a clock
// going backwards is never "later".
constexpr bool later_by_more_than(std::int64_t now, std::int64_t then,
                                  std::int64_t limit) noexcept {
  if (now <= then) return false;
  const std::uint64_t elapsed = static_cast<std::uint64_t>(now) - static_cast<std::uint64_t>(then);
  return elapsed > static_cast<std::uint64_t>(limit);
}

}  // namespace pa::reassembly
