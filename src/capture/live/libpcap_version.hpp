#pragma once

#include <string>

namespace pa::capture::live {

// libpcap's own description of itself, "libpcap version 1.10.3 (with TPACKET_V3)", as
// tcpdump --version prints it: the library loaded at run time.
std::string libpcap_version();

}  // namespace pa::capture::live
