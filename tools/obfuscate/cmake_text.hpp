#pragma once

#include <string>
#include <string_view>

namespace pa::obfuscate {

// Removes `#` line comments and `#[[...]]` bracket comments from CMake code, leaving quoted
// and bracket arguments alone. Lines that held only a comment disappear.
std::string strip_cmake_comments(std::string_view text);

}  // namespace pa::obfuscate
