#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pa::report {

// What the run knows beyond the analysis itself: what it read and what it warned about.
struct RunSummary {
  std::vector<std::string> inputs;  // as named on the command line ("-" for standard input)
  std::uint64_t packets_read = 0;
  std::vector<std::string> warnings;
};

}  // namespace pa::report
