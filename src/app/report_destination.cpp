#include "app/report_destination.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <streambuf>
#include <string>
#include <vector>

namespace pa::app {
namespace {

std::runtime_error cannot_write(const std::string& path, int error) {
  return std::runtime_error(path + ": cannot write the report: " + std::strerror(error));
}

void write_all(int descriptor, std::string_view bytes, const std::string& name) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(descriptor, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      throw cannot_write(name, errno);
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

// Where a chain of symbolic links at `path` ends (the links in its directories are left to
// the kernel). Either a name that is not a link (or does not exist yet: a link to a new
// file), or a descriptor number when the chain reaches /proc/self/fd/N or /dev/fd/N (what
// /dev/stdout is), whose target is not a file name that could be replaced.
struct LinkTarget {
  std::string path;
  std::optional<int> descriptor;
  bool through_proc = false;  // a link into /proc: a kernel object, never replaced
};

std::optional<int> descriptor_number(const std::string& path) {
  for (const std::string_view prefix : {"/proc/self/fd/", "/dev/fd/"}) {
    if (path.rfind(prefix, 0) != 0) continue;
    const std::string digits = path.substr(prefix.size());
    if (digits.empty() || digits.size() > 6 ||
        digits.find_first_not_of("0123456789") != std::string::npos) {
      return std::nullopt;
    }
    return std::stoi(digits);
  }
  return std::nullopt;
}

LinkTarget follow_links(const std::string& path) {
  LinkTarget target{path, std::nullopt, false};
  // The kernel's own limit on links followed in one lookup (path_resolution(7)).
  for (int hops = 0; hops < 40; ++hops) {
    if (const auto number = descriptor_number(target.path)) {
      target.descriptor = number;
      return target;
    }
    if (target.path.rfind("/proc/", 0) == 0) target.through_proc = true;
    struct stat status {};
    if (::lstat(target.path.c_str(), &status) != 0 || !S_ISLNK(status.st_mode)) return target;
    std::vector<char> text(static_cast<std::size_t>(status.st_size > 0 ? status.st_size : 255) + 2);
    const ssize_t length = ::readlink(target.path.c_str(), text.data(), text.size());
    if (length < 0 || static_cast<std::size_t>(length) >= text.size()) return target;
    std::string next(text.data(), static_cast<std::size_t>(length));
    if (next.empty()) return target;
    if (next.front() != '/') {
      const auto slash = target.path.rfind('/');
      if (slash != std::string::npos) next = target.path.substr(0, slash + 1) + next;
    }
    target.path = std::move(next);
  }
  throw cannot_write(path, ELOOP);
}

}  // namespace

ReportDestination::ReportDestination(std::optional<std::string> path) : path_(std::move(path)) {
  if (path_ && *path_ == "-") path_.reset();  // -o -: standard output, as -w - is
  if (!path_) {
    descriptor_ = STDOUT_FILENO;
    return;
  }
  const LinkTarget target = follow_links(*path_);
  if (target.descriptor) {
    // /dev/stdout and its kind: the descriptor itself, sharing its offset and flags.
    descriptor_ = ::fcntl(*target.descriptor, F_DUPFD_CLOEXEC, 3);
    if (descriptor_ < 0) throw cannot_write(*path_, errno);
    owns_descriptor_ = true;
    mode_ = Mode::write_through;
    return;
  }
  struct stat status {};
  const bool exists = ::stat(path_->c_str(), &status) == 0;
  if (!exists && errno != ENOENT) throw cannot_write(*path_, errno);
  if (!target.through_proc && (!exists || (S_ISREG(status.st_mode) && status.st_nlink == 1))) {
    if (exists && ::faccessat(AT_FDCWD, path_->c_str(), W_OK, AT_EACCESS) != 0) {
      throw cannot_write(*path_, errno);
    }
    open_replacement(target.path, exists ? &status : nullptr);
    if (mode_ == Mode::rename_over) return;
  }
  // A device, a FIFO, a file with other links, or one whose owner a new file could not keep:
  // written where it is. Opening a FIFO waits for its reader, as a shell's `>` does.
  descriptor_ = ::open(path_->c_str(), O_WRONLY | O_CREAT | O_NOCTTY | O_CLOEXEC, 0666);
  if (descriptor_ < 0) throw cannot_write(*path_, errno);
  owns_descriptor_ = true;
  mode_ = Mode::write_through;
  struct stat opened {};
  truncate_ = ::fstat(descriptor_, &opened) == 0 && S_ISREG(opened.st_mode) && !target.through_proc;
}

void ReportDestination::open_replacement(const std::string& target, const struct ::stat* existing) {
  std::string pattern = target + ".tmp.XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  const int descriptor = ::mkstemp(buffer.data());
  if (descriptor < 0) throw cannot_write(*path_, errno);
  const std::string temporary = buffer.data();
  if (existing != nullptr) {
    // The replacement is the same file to its users: owner, group, then mode (chown clears
    // the set-user-ID bits, so the mode comes last). A user who may not give the file away
    // gets it written in place instead.
    if ((existing->st_uid != ::geteuid() || existing->st_gid != ::getegid()) &&
        ::fchown(descriptor, existing->st_uid, existing->st_gid) != 0) {
      ::close(descriptor);
      ::unlink(temporary.c_str());
      return;
    }
    (void)::fchmod(descriptor, existing->st_mode & 07777);
  } else {
    // mkstemp makes the file 0600; a report is no secret, so give it what a plain open would.
    const mode_t mask = ::umask(0);
    ::umask(mask);
    (void)::fchmod(descriptor, static_cast<mode_t>(0666 & ~mask));
  }
  descriptor_ = descriptor;
  owns_descriptor_ = true;
  temporary_path_ = temporary;
  target_path_ = target;
  mode_ = Mode::rename_over;
}

ReportDestination::~ReportDestination() {
  if (owns_descriptor_ && descriptor_ >= 0) ::close(descriptor_);
  const std::lock_guard lock(finishing_);
  if (mode_ == Mode::rename_over && !placed_ && !abandoned_) ::unlink(temporary_path_.c_str());
}

bool ReportDestination::abandon() noexcept {
  const std::lock_guard lock(finishing_);
  if (placed_) return false;
  if (!abandoned_ && mode_ == Mode::rename_over) ::unlink(temporary_path_.c_str());
  abandoned_ = true;
  return true;
}

void ReportDestination::write(std::string_view report) {
  write_with([report](std::ostream& out) { out << report; });
}

void ReportDestination::write_with(const std::function<void(std::ostream&)>& produce) {
  const std::string name = path_ ? *path_ : std::string("standard output");
  if (truncate_) {
    if (::ftruncate(descriptor_, 0) != 0) throw cannot_write(name, errno);
    truncate_ = false;
  }
  DescriptorBuffer buffer(descriptor_, name);
  std::ostream out(&buffer);
  // A failed write throws from the buffer; let it through the stream as it is.
  out.exceptions(std::ios::badbit);
  produce(out);
  buffer.flush_all();
  finish();
}

void ReportDestination::finish() {
  if (mode_ == Mode::standard_output) return;  // standard output takes several reports (live)
  const int descriptor = descriptor_;
  descriptor_ = -1;
  owns_descriptor_ = false;
  if (mode_ == Mode::write_through) {
    if (::close(descriptor) != 0) throw cannot_write(*path_, errno);
    const std::lock_guard lock(finishing_);
    placed_ = true;
    return;
  }
  // On disk before it has the name, so that a crash leaves the old report or the new one.
  if (::fsync(descriptor) != 0 || ::close(descriptor) != 0) {
    const int error = errno;
    const std::lock_guard lock(finishing_);
    if (!abandoned_) ::unlink(temporary_path_.c_str());
    abandoned_ = true;
    throw cannot_write(*path_, error);
  }
  const std::lock_guard lock(finishing_);
  if (abandoned_) throw std::runtime_error(*path_ + ": the report was given up");
  if (::rename(temporary_path_.c_str(), target_path_.c_str()) != 0) {
    const int error = errno;
    ::unlink(temporary_path_.c_str());
    abandoned_ = true;
    throw cannot_write(*path_, error);
  }
  placed_ = true;
}

}  // namespace pa::app
