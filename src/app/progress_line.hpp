#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace pa::app {

// A one-line progress report on standard error for long runs: bytes and packets read, the
// rate, and the percentage and time left where the total size is known. It appears only when
// enabled (standard error is a terminal and -q was not given) and once the run has lasted
// two seconds, is redrawn at most four times a second, and is erased at the end, so nothing
// of it stays in the terminal or ever reaches standard output.
class ProgressLine {
 public:
  // `first_draw_after`: two seconds but in tests.
  ProgressLine(bool enabled, std::optional<std::uint64_t> total_bytes,
               std::chrono::milliseconds first_draw_after = std::chrono::seconds(2));
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  // Cheap enough to call for every packet: true once per 16,384 calls when enabled, when the
  // caller should gather its counts and call redraw().
  bool due() noexcept { return enabled_ && (++calls_ & 0x3fff) == 0; }

  // Draws the line if enabled, the run has lasted long enough and the last draw is old enough.
  void redraw(std::uint64_t bytes, std::uint64_t packets) noexcept;

  // Erases the line, if one was drawn.
  void finish() noexcept;

 private:
  bool enabled_;
  bool drawn_ = false;
  std::optional<std::uint64_t> total_bytes_;
  std::uint64_t calls_ = 0;
  std::chrono::milliseconds first_draw_after_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

// Whether a progress line may be shown: standard error is a terminal and not quiet.
bool progress_wanted(bool quiet) noexcept;

}  // namespace pa::app
