#pragma once

#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

namespace pa::app {

// Where the report goes: standard output, or a file that appears whole or not at all. The
// file's directory is checked when this is made, before any analysis, so an unwritable -o
// fails at once; the report is written to a temporary file beside it and renamed into place.
class ReportDestination {
 public:
  // Throws std::runtime_error naming the path when it cannot be written.
  explicit ReportDestination(std::optional<std::string> path);
  ~ReportDestination();
  ReportDestination(const ReportDestination&) = delete;
  ReportDestination& operator=(const ReportDestination&) = delete;

  // Writes the whole report; throws std::runtime_error on failure.
  void write(std::string_view report);

  // Writes the report `produce` makes as it makes it, through a 64 KiB buffer, so a report of
  // millions of names never has to exist whole in memory; then finishes as write() does.
  void write_with(const std::function<void(std::ostream&)>& produce);

 private:
  std::optional<std::string> path_;
  std::string temporary_path_;
  int descriptor_ = -1;
};

}  // namespace pa::app
