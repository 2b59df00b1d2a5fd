#pragma once

#include <string>
#include <string_view>

namespace pa::obfuscate {

// The copy holds the program's sources only (no tests, fuzz targets, benchmarks or tools), so
// it gets build files of its own: the project's CMake presets less those that build what is
// not there, and a README naming the commands that build and run it.

// The project's CMakePresets.json less the configure presets that build fuzz targets and the
// build and test presets that name them or run tests (the copy has none).
// Throws nlohmann::json::exception on presets that do not parse.
std::string copy_presets(std::string_view project_presets);

// The copy's README.md. Its first `sh` block is the plain configure and build a user types;
// the acceptance checks run exactly that block.
std::string copy_readme();

}  // namespace pa::obfuscate
