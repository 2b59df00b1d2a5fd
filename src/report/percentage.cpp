#include "report/percentage.hpp"

#include <fmt/format.h>

namespace pa::report {

std::string format_percentage(std::uint64_t count, std::uint64_t total) {
  if (total == 0) return "0.00";
  return fmt::format("{:.2f}", 100.0 * static_cast<double>(count) / static_cast<double>(total));
}

}  // namespace pa::report
