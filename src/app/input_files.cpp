#include "app/input_files.hpp"

#include <filesystem>
#include <system_error>

namespace pa::app {
namespace {

bool exists(const std::string& path) {
  std::error_code error;
  return std::filesystem::exists(path, error);
}

}  // namespace

std::vector<std::string> expand_rotated_captures(const std::vector<std::string>& paths) {
  std::vector<std::string> expanded;
  for (const std::string& path : paths) {
    if (path == "-" || exists(path) || !exists(path + "1")) {
      expanded.push_back(path);
      continue;
    }
    for (int part = 1; exists(path + std::to_string(part)); ++part) {
      expanded.push_back(path + std::to_string(part));
    }
  }
  return expanded;
}

}  // namespace pa::app
