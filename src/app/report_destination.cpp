#include "app/report_destination.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ostream>
#include <stdexcept>
#include <streambuf>
#include <string>
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

// An output stream buffer over a file descriptor: what std::ofstream cannot be made from.
class DescriptorBuffer final : public std::streambuf {
 public:
  DescriptorBuffer(int descriptor, std::string name)
      : descriptor_(descriptor), name_(std::move(name)), buffer_(64 * 1024) {
    setp(buffer_.data(), buffer_.data() + buffer_.size());
  }

  // Writes what is buffered; throws std::runtime_error on failure.
  void flush_all() {
    write_all(descriptor_, std::string_view(pbase(), static_cast<std::size_t>(pptr() - pbase())),
              name_);
    setp(buffer_.data(), buffer_.data() + buffer_.size());
  }

 protected:
  int_type overflow(int_type c) override {
    flush_all();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }

 private:
  int descriptor_;
  std::string name_;
  std::vector<char> buffer_;
};

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
  write_with([report](std::ostream& out) { out << report; });
}

void ReportDestination::write_with(const std::function<void(std::ostream&)>& produce) {
  DescriptorBuffer buffer(path_ ? descriptor_ : STDOUT_FILENO,
                          path_ ? *path_ : std::string("standard output"));
  std::ostream out(&buffer);
  // A failed write throws from the buffer; let it through the stream as it is.
  out.exceptions(std::ios::badbit);
  produce(out);
  buffer.flush_all();
  if (!path_) return;
  const int descriptor = descriptor_;
  descriptor_ = -1;
  if (::close(descriptor) != 0 || ::rename(temporary_path_.c_str(), path_->c_str()) != 0) {
    const int error = errno;
    ::unlink(temporary_path_.c_str());
    throw std::runtime_error(*path_ + ": cannot write the report: " + std::strerror(error));
  }
}

}  // namespace pa::app
