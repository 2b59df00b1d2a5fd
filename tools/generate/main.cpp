// packet-analysis-generate: writes a synthetic office capture and the answers the analyzer
// must give for it.

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <map>
#include <stdexcept>
#include <string>

#include "capture_generator.hpp"

namespace {

// "1500", "64K", "1G": binary multiples.
std::uint64_t parse_size(const std::string& text) {
  std::size_t used = 0;
  const std::uint64_t number = std::stoull(text, &used);
  const std::string unit = text.substr(used);
  static const std::map<std::string, std::uint64_t> units{
      {"", 1},           {"K", 1ULL << 10}, {"M", 1ULL << 20}, {"G", 1ULL << 30},
      {"k", 1ULL << 10}, {"m", 1ULL << 20}, {"g", 1ULL << 30}};
  const auto found = units.find(unit);
  if (found == units.end()) throw std::invalid_argument{"bad size: " + text};
  return number * found->second;
}

}  // namespace

int main(int argc, char** argv) {
  using pa::capture::CaptureFormat;
  pa::generate::GeneratorOptions options;
  std::string size_text;
  std::string format_text = "pcap";

  CLI::App app{
      "Writes a deterministic synthetic capture of a small office's traffic (DNS "
      "lookups, then connections to the answers, with background noise) and the "
      "answers packet-analysis must give for it."};
  app.add_option("-o,--output", options.output,
                 "Capture file to write (with --rotate N: "
                 "<output>1 .. <output>N)")
      ->required();
  app.add_option("--seed", options.model.seed,
                 "Seed; the same seed and options give the same "
                 "bytes")
      ->capture_default_str();
  auto* duration = app.add_option("--duration", options.model.duration_seconds,
                                  "Seconds of traffic (default 60, or unlimited with --size)");
  app.add_option("--size", size_text,
                 "Approximate capture size to stop at: bytes, or with a "
                 "K, M or G suffix (binary)");
  app.add_option("--format", format_text, "pcap (microseconds), pcap-ns or pcapng")
      ->check(CLI::IsMember({"pcap", "pcap-ns", "pcapng"}))
      ->capture_default_str();
  app.add_option("--rotate", options.rotate, "Split into N files, as tcpdump -C would")
      ->check(CLI::Range(1u, 100000u));
  app.add_option("--expected", options.expected_path,
                 "Expected answers (JSON; the text report goes beside it as .txt). Default: "
                 "<output>.expected.json");
  app.add_option("--unique-names", options.model.unique_names,
                 "Query exactly N distinct names (for memory benchmarks); the traffic lasts "
                 "until each was asked");
  app.add_option("--rate", options.model.sessions_per_second,
                 "Conversations started per second (lookups, connections, noise)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  }

  try {
    if (!size_text.empty()) {
      options.target_bytes = parse_size(size_text);
      if (duration->count() == 0) options.model.duration_seconds = 0;
    }
    options.format = format_text == "pcapng"    ? CaptureFormat::pcapng
                     : format_text == "pcap-ns" ? CaptureFormat::pcap_ns
                                                : CaptureFormat::pcap;
    const auto result = pa::generate::generate_capture(options);
    std::fprintf(stderr,
                 "packet-analysis-generate: %llu packets, %llu bytes in %zu file(s); "
                 "expected answers in %s\n",
                 static_cast<unsigned long long>(result.answers.packets()),
                 static_cast<unsigned long long>(result.bytes), result.files.size(),
                 result.expected_path.c_str());
  } catch (const std::exception& error) {
    std::fprintf(stderr, "packet-analysis-generate: error: %s\n", error.what());
    return 1;
  }
  return 0;
}
