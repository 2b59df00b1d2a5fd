#pragma once

#include <cstdint>
#include <string>

namespace pa::report {

// A count's share of the total in percent with two decimals ("45.45"): the binary double's
// value rounded as fmt rounds it (to nearest, ties to even). "0.00" when the total is 0. The
// text and JSON reports both use it, so they never disagree.
std::string format_percentage(std::uint64_t count, std::uint64_t total);

}  // namespace pa::report
