#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "capture/capture_writer.hpp"
#include "expected_answers.hpp"
#include "office_model.hpp"

namespace pa::generate {

struct GeneratorOptions {
  ModelOptions model;
  std::string output;
  capture::CaptureFormat format = capture::CaptureFormat::pcap;
  std::uint64_t target_bytes = 0;  // stop near this capture size; 0 = by duration only
  unsigned rotate = 0;             // 0 = one file; N = files <output>1 .. <output>N
  std::string expected_path;       // empty = <output>.expected.json
  std::string watched_host = "www.google.com";
  std::uint16_t watched_port = 80;
};

struct GenerationResult {
  std::vector<std::string> files;
  std::uint64_t bytes = 0;
  ExpectedAnswers answers;
  std::string expected_path;
  std::string report_path;
};

// Generates the capture(s) and writes the expected answers beside them: a JSON file and the
// text report the SPEC's layout gives for the default options. Throws std::runtime_error
// (or the writer's exceptions) on I/O failure.
GenerationResult generate_capture(const GeneratorOptions& options);

// Where the text report goes for a given expected-answers path: `.json` becomes `.txt`.
std::string report_path_for(const std::string& expected_path);

}  // namespace pa::generate
