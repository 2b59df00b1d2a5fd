#include "stream/open_file_limit.hpp"

#include <fmt/format.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstring>

#include "stream/stream_mode.hpp"

namespace pa::stream {

void ensure_open_file_limit(std::uint64_t needed, const std::string& what) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;  // nothing known: the run will tell
  if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= needed) return;
  if (limit.rlim_max == RLIM_INFINITY || limit.rlim_max >= needed) {
    rlimit raised = limit;
    raised.rlim_cur = static_cast<rlim_t>(needed);
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) return;
    throw StreamError(fmt::format(
        "{} needs about {} open files, above this process's limit of {} (ulimit -n), which "
        "could not be raised: {}; use a smaller -c",
        what, needed, limit.rlim_cur, std::strerror(errno)));
  }
  throw StreamError(fmt::format(
      "{} needs about {} open files, above this process's limit of {} (ulimit -n; the hard "
      "limit, ulimit -Hn, is {}); use a smaller -c, or raise the hard limit",
      what, needed, limit.rlim_cur, limit.rlim_max));
}

}  // namespace pa::stream
