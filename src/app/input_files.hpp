#pragma once

#include <string>
#include <vector>

namespace pa::app {

// Expands each name that does not exist but whose rotated parts NAME1, NAME2, ... do (as
// `tcpdump -C` writes them) into those parts in numeric order; keeps every other name as
// typed, so that opening it reports what is wrong with it.
std::vector<std::string> expand_rotated_captures(const std::vector<std::string>& paths);

}  // namespace pa::app
