#include "app/version.hpp"

#include <fmt/format.h>

#include "capture/library_versions.hpp"
#include "capture/live/libpcap_version.hpp"

namespace pa::app {

std::string version_text() {
  return fmt::format("packet-analysis {} ({})\n{}\nzlib version {}\nzstd version {}\n", PA_VERSION,
                     PA_BUILD_TYPE, capture::live::libpcap_version(),
                     capture::zlib_library_version(), capture::zstd_library_version());
}

}  // namespace pa::app
