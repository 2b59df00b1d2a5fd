#include "copy_build_files.hpp"

#include <nlohmann/json.hpp>
#include <set>

namespace pa::obfuscate {

std::string copy_presets(std::string_view project_presets) {
  nlohmann::ordered_json presets = nlohmann::ordered_json::parse(project_presets);
  std::set<std::string> dropped;
  nlohmann::ordered_json configure = nlohmann::ordered_json::array();
  for (const auto& preset : presets.value("configurePresets", nlohmann::ordered_json::array())) {
    const auto variables = preset.value("cacheVariables", nlohmann::ordered_json::object());
    if (variables.value("PA_FUZZ", "OFF") == "ON") {
      dropped.insert(preset.value("name", ""));
    } else {
      configure.push_back(preset);
    }
  }
  presets["configurePresets"] = configure;
  if (presets.contains("buildPresets")) {
    nlohmann::ordered_json build = nlohmann::ordered_json::array();
    for (const auto& preset : presets["buildPresets"]) {
      if (!dropped.contains(preset.value("configurePreset", ""))) build.push_back(preset);
    }
    presets["buildPresets"] = build;
  }
  presets.erase("testPresets");
  return presets.dump(2) + "\n";
}

std::string copy_readme() {
  // Nothing in it depends on the run, so one seed still gives one copy.
  return "# packet-analysis (obfuscated copy)\n"
         "\n"
         "The program's sources with comments removed and declared names renamed. It builds and\n"
         "behaves exactly like the original. Tests, fuzz targets, benchmarks and tools are not\n"
         "part of the copy.\n"
         "\n"
         "Build it with plain CMake (Debian 12: cmake, g++, libpcap-dev, libasio-dev,\n"
         "libcli11-dev, libfmt-dev, nlohmann-json3-dev, zlib1g-dev, libzstd-dev):\n"
         "\n"
         "```sh\n"
         "cmake -S . -B build -DCMAKE_BUILD_TYPE=Release\n"
         "cmake --build build -j \"$(nproc)\"\n"
         "```\n"
         "\n"
         "or with the project's presets (Ninja): `cmake --preset release && cmake --build "
         "--preset\n"
         "release` (also `dev`, `asan-ubsan`, `tsan`).\n"
         "\n"
         "Then run it as the original:\n"
         "\n"
         "```sh\n"
         "build/packet-analysis -h\n"
         "build/packet-analysis -c 0 -f capture.pcap\n"
         "```\n";
}

}  // namespace pa::obfuscate
