#include "app/progress_line.hpp"

#include <unistd.h>

#include <cstdio>

namespace pa::app {
namespace {

constexpr auto time_between_draws = std::chrono::milliseconds(250);

}  // namespace

bool progress_wanted(bool quiet) noexcept { return !quiet && ::isatty(STDERR_FILENO) == 1; }

ProgressLine::ProgressLine(bool enabled, std::optional<std::uint64_t> total_bytes,
                           std::chrono::milliseconds first_draw_after)
    : enabled_(enabled),
      total_bytes_(total_bytes),
      first_draw_after_(first_draw_after),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_ - time_between_draws) {}

ProgressLine::~ProgressLine() { finish(); }

void ProgressLine::redraw(std::uint64_t bytes, std::uint64_t packets) noexcept {
  // Callers that wait (the -j stage) redraw without asking due(): the line checks for itself.
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - start_ < first_draw_after_ || now - last_draw_ < time_between_draws) return;
  last_draw_ = now;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  const double megabytes = static_cast<double>(bytes) / 1e6;
  const double rate = megabytes / seconds;
  char line[160];
  int length = std::snprintf(line, sizeof line, "\r%.0f MB, %.2f M packets, %.0f MB/s", megabytes,
                             static_cast<double>(packets) / 1e6, rate);
  if (total_bytes_ && *total_bytes_ > 0 && bytes <= *total_bytes_ && rate > 0) {
    const double left = static_cast<double>(*total_bytes_ - bytes) / 1e6 / rate;
    length += std::snprintf(
        line + length, sizeof line - static_cast<std::size_t>(length), ", %.0f%%, %.0f s left",
        100.0 * static_cast<double>(bytes) / static_cast<double>(*total_bytes_), left);
  }
  // Erase whatever the previous, possibly longer, line left (ANSI "erase to end of line").
  std::fprintf(stderr, "%s\x1b[K", line);
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressLine::finish() noexcept {
  if (!drawn_) return;
  std::fputs("\r\x1b[K", stderr);
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace pa::app
