#include "capture/live/libpcap_version.hpp"

#include <pcap/pcap.h>

namespace pa::capture::live {

std::string libpcap_version() { return pcap_lib_version(); }

}  // namespace pa::capture::live
