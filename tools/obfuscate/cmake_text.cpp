#include "cmake_text.hpp"

#include <cstddef>

namespace pa::obfuscate {
namespace {

// Length of the `[==[` opener at `pos` (0 if none), and its `=` count.
std::size_t bracket_open(std::string_view text, std::size_t pos, std::size_t& equals) {
  if (pos >= text.size() || text[pos] != '[') return 0;
  std::size_t i = pos + 1;
  while (i < text.size() && text[i] == '=') ++i;
  if (i >= text.size() || text[i] != '[') return 0;
  equals = i - pos - 1;
  return i - pos + 1;
}

std::size_t bracket_end(std::string_view text, std::size_t from, std::size_t equals) {
  const std::string closer = "]" + std::string(equals, '=') + "]";
  const std::size_t at = text.find(closer, from);
  return at == std::string_view::npos ? text.size() : at + closer.size();
}

}  // namespace

std::string strip_cmake_comments(std::string_view text) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '"') {
      // CMake 3.0 quoted argument: `\` escapes the next character.
      std::size_t j = i + 1;
      while (j < text.size() && text[j] != '"') j += text[j] == '\\' ? 2 : 1;
      j = j < text.size() ? j + 1 : text.size();
      out.append(text.substr(i, j - i));
      i = j;
      continue;
    }
    std::size_t equals = 0;
    if (const std::size_t open = bracket_open(text, i, equals); open != 0) {
      const std::size_t j = bracket_end(text, i + open, equals);
      out.append(text.substr(i, j - i));
      i = j;
      continue;
    }
    if (c == '#') {
      std::size_t j;
      if (const std::size_t open = bracket_open(text, i + 1, equals); open != 0) {
        j = bracket_end(text, i + 1 + open, equals);
      } else {
        j = text.find('\n', i);
        if (j == std::string_view::npos) j = text.size();
      }
      i = j;
      continue;
    }
    out += c;
    ++i;
  }
  // Drop trailing blanks and the lines that are now empty.
  std::string compact;
  std::size_t start = 0;
  while (start < out.size()) {
    std::size_t end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    std::string_view line{out.data() + start, end - start};
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) {
      line.remove_suffix(1);
    }
    if (line.find_first_not_of(" \t") != std::string_view::npos) {
      compact.append(line);
      compact += '\n';
    }
    start = end + 1;
  }
  return compact;
}

}  // namespace pa::obfuscate
