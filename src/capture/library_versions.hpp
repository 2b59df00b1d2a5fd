#pragma once

#include <string>

namespace pa::capture {

// The versions of the decompression libraries the program runs with (not the headers it was
// built against), for --version. (zlib.h defines zlib_version as a macro, hence the names.)
std::string zlib_library_version();
std::string zstd_library_version();

}  // namespace pa::capture
