#include "capture/library_versions.hpp"

#include <zlib.h>
#include <zstd.h>

namespace pa::capture {

std::string zlib_library_version() { return zlibVersion(); }

std::string zstd_library_version() { return ZSTD_versionString(); }

}  // namespace pa::capture
