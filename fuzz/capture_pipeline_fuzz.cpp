// The whole program's path on one capture file: format detection (pcap, pcapng, gzip, zstd),
// reading, merging, dissection, reassembly, analysis, and both reports. The text report must be
// printable ASCII and the JSON report must parse (nlohmann::json rejects invalid UTF-8).

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>

#include "app/capture_analysis.hpp"
#include "capture/capture_reader.hpp"
#include "fuzz_check.hpp"
#include "report/json_report.hpp"
#include "report/text_report.hpp"

namespace {

// The readers open files by name, so the input goes to an in-memory file, named through /proc.
const std::string& memory_file_path() {
  static const std::string path = [] {
    const int fd = ::memfd_create("capture", 0);
    PA_FUZZ_CHECK(fd >= 0);
    return "/proc/self/fd/" + std::to_string(fd);
  }();
  return path;
}

void write_file(const std::string& path, const std::uint8_t* data, std::size_t size) {
  const int fd = std::stoi(path.substr(path.rfind('/') + 1));
  PA_FUZZ_CHECK(::ftruncate(fd, 0) == 0);
  std::size_t written = 0;
  while (written < size) {
    const ssize_t n = ::pwrite(fd, data + written, size - written, static_cast<off_t>(written));
    PA_FUZZ_CHECK(n > 0);
    written += static_cast<std::size_t>(n);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pa;
  const std::string& path = memory_file_path();
  write_file(path, data, size);

  const analysis::AnalysisOptions options;
  app::CaptureAnalysis analysis;
  try {
    analysis = app::analyze_captures(
        {path}, options, [](std::string_view warning) { PA_FUZZ_CHECK(!warning.empty()); });
  } catch (const capture::CaptureError& error) {
    PA_FUZZ_CHECK(std::string_view(error.what()).starts_with(path));
    return 0;
  }

  std::ostringstream text;
  report::write_text_report(text, analysis.result, options);
  for (const char c : text.str()) PA_FUZZ_CHECK(c == '\n' || (c >= 0x20 && c <= 0x7e));

  std::ostringstream json;
  report::write_json_report(json, analysis.result, options, analysis.summary);
  PA_FUZZ_CHECK(nlohmann::json::accept(json.str()));
  return 0;
}
