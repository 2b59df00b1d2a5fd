#pragma once

#include <string>

namespace pa::app {

// What --version prints, as tcpdump's does: the program's version and build type, then the
// libraries it runs with, one per line:
//   packet-analysis 0.1.0 (RelWithDebInfo)
//   libpcap version 1.10.3 (with TPACKET_V3)
//   zlib version 1.2.13
//   zstd version 1.5.4
std::string version_text();

}  // namespace pa::app
