#pragma once

#include <sys/stat.h>

#include <functional>
#include <iosfwd>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace pa::app {

// Where the report goes: standard output (no path, or "-"), or the file -o names. What is at
// that path decides how it is written (README, "Output"):
// - a new path, or a regular file with one link: the report is written to a temporary file
//   beside it and renamed into place, so it appears whole or not at all; a file that was there
//   keeps its mode and owner (when the owner cannot be kept, it is written in place instead);
// - a symbolic link: followed, and the file it points at is what is replaced (the link stays);
// - anything else (a device such as /dev/null, a FIFO, /dev/stdout, a file with several hard
//   links): opened and written in place, as a shell's `>` would.
// The path is checked when this is made, before any analysis, so an unwritable -o fails at
// once.
class ReportDestination {
 public:
  // Throws std::runtime_error naming the path when it cannot be written.
  explicit ReportDestination(std::optional<std::string> path);
  ~ReportDestination();
  ReportDestination(const ReportDestination&) = delete;
  ReportDestination& operator=(const ReportDestination&) = delete;

  // Writes the whole report; throws std::runtime_error on failure (a full disk, /dev/full).
  void write(std::string_view report);

  // Writes the report `produce` makes as it makes it, through a 64 KiB buffer, so a report of
  // millions of names never has to exist whole in memory; then finishes as write() does.
  void write_with(const std::function<void(std::ostream&)>& produce);

  // Gives the report up: removes the temporary file unless the report is already in place.
  // Returns false when it was (the run is over; nothing is to be undone). Safe to call from
  // another thread while write() runs: that is what a signal's watcher does.
  bool abandon() noexcept;

 private:
  enum class Mode { standard_output, rename_over, write_through };

  void open_replacement(const std::string& target, const struct ::stat* existing);
  void finish();

  std::optional<std::string> path_;
  Mode mode_ = Mode::standard_output;
  std::string target_path_;     // rename_over: the file renamed over (a symlink's target)
  std::string temporary_path_;  // rename_over: the file the report is written to first
  int descriptor_ = -1;
  bool owns_descriptor_ = false;
  bool truncate_ = false;   // in_place on a regular file: emptied when the report is written
  std::mutex finishing_;    // held while the report is put in place, and by abandon()
  bool placed_ = false;     // the report is where it belongs
  bool abandoned_ = false;  // given up: no report will be put in place
};

}  // namespace pa::app
