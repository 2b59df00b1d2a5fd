#include "app/input_files.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <system_error>
#include <utility>

namespace pa::app {
namespace {

struct FileIdentity {
  dev_t device = 0;
  ino_t inode = 0;
  bool operator==(const FileIdentity&) const = default;
};

std::optional<FileIdentity> identity_of(const std::string& path) {
  struct stat status {};
  if (path == "-" || ::stat(path.c_str(), &status) != 0) return std::nullopt;
  return FileIdentity{status.st_dev, status.st_ino};
}

bool exists(const std::string& path) {
  std::error_code error;
  return std::filesystem::exists(path, error);
}

struct Part {
  std::uint32_t part_number = 0;
  std::string path;  // the name as typed with the digits appended
};

// NAME followed by digits, beside NAME: the parts `tcpdump -C` writes after NAME itself.
std::vector<Part> numbered_siblings(const std::string& path) {
  std::vector<Part> parts;
  const std::filesystem::path typed(path);
  const std::string base = typed.filename().string();
  if (base.empty() || base == "." || base == "..") return parts;
  const std::filesystem::path directory =
      typed.has_parent_path() ? typed.parent_path() : std::filesystem::path(".");
  std::error_code error;
  std::filesystem::directory_iterator entries(directory, error);
  if (error) return parts;
  for (const auto& entry : entries) {
    const std::string name = entry.path().filename().string();
    if (name.size() <= base.size() || name.compare(0, base.size(), base) != 0) continue;
    const std::string digits = name.substr(base.size());
    // Nine digits at most: tcpdump's counter is an int, and the number must fit ours.
    if (digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    std::error_code type_error;
    if (!entry.is_regular_file(type_error)) continue;
    parts.push_back({static_cast<std::uint32_t>(std::stoul(digits)), path + digits});
  }
  std::sort(parts.begin(), parts.end(), [](const Part& a, const Part& b) {
    return a.part_number != b.part_number ? a.part_number < b.part_number : a.path < b.path;
  });
  return parts;
}

// "3", "3 and 5", "3, 5, 6, ... (9 in all)".
std::string list_numbers(const std::vector<std::uint32_t>& numbers) {
  constexpr std::size_t shown = 5;
  std::string text;
  for (std::size_t i = 0; i < numbers.size() && i < shown; ++i) {
    if (i != 0) text += (i + 1 == numbers.size()) ? " and " : ", ";
    text += std::to_string(numbers[i]);
  }
  if (numbers.size() > shown) text += fmt::format(", ... ({} in all)", numbers.size());
  return text;
}

// The numbers missing between the first expected one and the last present.
std::vector<std::uint32_t> missing_numbers(const std::vector<Part>& parts, std::uint32_t first) {
  std::vector<std::uint32_t> missing;
  std::uint32_t expected = first;
  for (const Part& part : parts) {
    if (part.part_number < expected) continue;  // the same number spelt twice (1, 01)
    for (; expected < part.part_number; ++expected) missing.push_back(expected);
    expected = part.part_number + 1;
  }
  return missing;
}

}  // namespace

InputSelection select_inputs(const std::vector<std::string>& typed, bool expand_rotation) {
  InputSelection selection;
  std::vector<FileIdentity> typed_files;
  for (const std::string& path : typed) {
    if (const auto identity = identity_of(path)) typed_files.push_back(*identity);
  }
  const auto is_typed = [&typed_files](const Part& part) {
    const auto identity = identity_of(part.path);
    return identity &&
           std::find(typed_files.begin(), typed_files.end(), *identity) != typed_files.end();
  };

  std::vector<std::string> expanded;
  for (const std::string& path : typed) {
    std::vector<Part> parts;
    if (path != "-" && expand_rotation) parts = numbered_siblings(path);
    if (parts.empty() || std::any_of(parts.begin(), parts.end(), is_typed)) {
      expanded.push_back(path);
      continue;
    }
    const bool named_exists = exists(path);
    // After NAME itself tcpdump counts from 1; with -W every part has a number, from 0.
    const std::uint32_t first = (!named_exists && parts.front().part_number == 0) ? 0 : 1;
    if (named_exists) {
      expanded.push_back(path);
      selection.notes.push_back(fmt::format(
          "{}: read with its rotated parts {} .. {} ({} files, named as tcpdump -C names "
          "them; --no-rotation reads it alone)",
          path, parts.front().path, parts.back().path, parts.size() + 1));
    }
    const auto missing = missing_numbers(parts, first);
    if (!missing.empty()) {
      selection.warnings.push_back(fmt::format(
          "{}: rotated part{} {} {} missing between {} and {}: the report lacks {} packets", path,
          missing.size() == 1 ? "" : "s", list_numbers(missing), missing.size() == 1 ? "is" : "are",
          named_exists ? path : parts.front().path, parts.back().path,
          missing.size() == 1 ? "its" : "their"));
    }
    for (const Part& part : parts) expanded.push_back(part.path);
  }

  // The same file twice would count every packet twice: read it once, say so.
  std::vector<std::pair<FileIdentity, std::string>> seen;
  bool standard_input_seen = false;
  for (std::string& path : expanded) {
    if (path == "-") {
      if (standard_input_seen) {
        selection.warnings.push_back("standard input (-) is named twice; it is read once");
        continue;
      }
      standard_input_seen = true;
      selection.paths.push_back(std::move(path));
      continue;
    }
    const auto identity = identity_of(path);
    if (identity) {
      const auto earlier = std::find_if(seen.begin(), seen.end(),
                                        [&](const auto& file) { return file.first == *identity; });
      if (earlier != seen.end()) {
        selection.warnings.push_back(
            earlier->second == path
                ? fmt::format("{} is named twice; it is read once", path)
                : fmt::format("{} is the same file as {}; it is read once", path, earlier->second));
        continue;
      }
      seen.emplace_back(*identity, path);
    }
    selection.paths.push_back(std::move(path));
  }
  return selection;
}

std::optional<std::string> input_named_by(const std::string& output,
                                          const std::vector<std::string>& inputs) {
  // Only a regular file can be replaced by the report; a terminal or /dev/null that an input
  // also names (-f /dev/stdin -o /dev/stdout) is no conflict.
  struct stat status {};
  if (output == "-" || ::stat(output.c_str(), &status) != 0 || !S_ISREG(status.st_mode)) {
    return std::nullopt;
  }
  const std::optional<FileIdentity> written = FileIdentity{status.st_dev, status.st_ino};
  for (const std::string& input : inputs) {
    if (identity_of(input) == written) return input;
  }
  return std::nullopt;
}

}  // namespace pa::app
