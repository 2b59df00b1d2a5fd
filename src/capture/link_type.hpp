#pragma once

#include <cstdint>

namespace pa::capture {

// LINKTYPE_* values from https://www.tcpdump.org/linktypes.html (the values in files, which
// differ from some platforms' DLT_* values for RAW).
enum class LinkType : std::uint32_t {
  null = 0,  // BSD loopback: 4-byte address family in the writer's byte order
  ethernet = 1,
  raw = 101,   // raw IPv4 or IPv6, told apart by the version nibble
  loop = 108,  // OpenBSD loopback: 4-byte address family in network byte order
  linux_sll = 113,
  ipv4 = 228,
  ipv6 = 229,
  linux_sll2 = 276,
};

}  // namespace pa::capture
