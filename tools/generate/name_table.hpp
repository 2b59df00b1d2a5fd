#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/ip_address.hpp"

namespace pa::generate {

// A name the office looks up, with what the resolver answers for it.
struct NameEntry {
  std::string name;
  unsigned weight = 1;              // relative popularity among lookups
  std::vector<std::string> chain;   // CNAME targets in order; the last one owns the addresses
  std::vector<base::IpAddress> v4;  // pool the A answers draw from
  std::vector<base::IpAddress> v6;  // pool the AAAA answers draw from
  unsigned addresses_per_answer = 1;
  std::uint32_t ttl = 300;
  bool nxdomain = false;
  unsigned plain_http_percent = 10;  // connections to port 80 rather than 443
};

// The names of a small office's day: search, mail, code hosting, updates, the intranet, and
// a few that do not exist. Index 0 is www.google.com.
std::vector<NameEntry> office_names();

// The `--unique-names` variant's index-th synthetic name, distinct for every index.
std::string synthetic_name(std::uint64_t index);
// An address for it, in 198.18.0.0/15 (RFC 2544 benchmarking) so it collides with no one.
base::IpAddress synthetic_address(std::uint64_t index);

}  // namespace pa::generate
