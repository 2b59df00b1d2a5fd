#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>

namespace pa::generate {

// The SPEC's text report, written here a second time (the analyzer has its own) so that the
// two can be compared byte for byte.
std::string write_text_report(std::string_view watched_host, std::uint16_t watched_port,
                              const std::set<std::uint16_t>& source_ports,
                              const std::map<std::string, std::uint64_t>& a_query_counts);

// SPEC "DNS names": in reports, bytes outside [a-z0-9-_] inside a label are escaped the
// zone-file way; the root is `<root>`. `name` has its labels joined by dots.
std::string escape_name(std::string_view name);

}  // namespace pa::generate
