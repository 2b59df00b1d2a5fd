#include "app/report_destination.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace pa::app {
namespace {

void write_all(int descriptor, std::string_view bytes, const std::string& name) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(descriptor, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(name + ": " + std::strerror(errno));
    }
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
}

}  // namespace

ReportDestination::ReportDestination(std::optional<std::string> path) : path_(std::move(path)) {
  if (!path_) return;
  std::string pattern = *path_ + ".tmp.XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  descriptor_ = ::mkstemp(buffer.data());
  if (descriptor_ < 0) {
    throw std::runtime_error(*path_ + ": cannot write the report: " + std::strerror(errno));
  }
  temporary_path_ = buffer.data();
  // mkstemp makes the file 0600; a report is no secret, so give it what a plain open would.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  (void)::fchmod(descriptor_, static_cast<mode_t>(0666 & ~mask));
}

ReportDestination::~ReportDestination() {
  if (descriptor_ >= 0) {
    ::close(descriptor_);
    ::unlink(temporary_path_.c_str());
  }
}

void ReportDestination::write(std::string_view report) {
  if (!path_) {
    write_all(STDOUT_FILENO, report, "standard output");
    return;
  }
  write_all(descriptor_, report, *path_);
  const int descriptor = descriptor_;
  descriptor_ = -1;
  if (::close(descriptor) != 0 || ::rename(temporary_path_.c_str(), path_->c_str()) != 0) {
    const int error = errno;
    ::unlink(temporary_path_.c_str());
    throw std::runtime_error(*path_ + ": cannot write the report: " + std::strerror(error));
  }
}

}  // namespace pa::app
