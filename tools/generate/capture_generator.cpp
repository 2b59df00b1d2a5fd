#include "capture_generator.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "packet_builder.hpp"
#include "rotating_output.hpp"
#include "text_report.hpp"

namespace pa::generate {
namespace {

const char* format_name(capture::CaptureFormat format) {
  switch (format) {
    case capture::CaptureFormat::pcap:
      return "pcap";
    case capture::CaptureFormat::pcap_ns:
      return "pcap-ns";
    case capture::CaptureFormat::pcapng:
      return "pcapng";
  }
  return "?";
}

// The generation is deterministic, so a first pass without output tells how many packets
// there will be, which is what a rotation by duration splits.
std::uint64_t count_packets(const ModelOptions& options) {
  OfficeModel model{options};
  PacketSpec packet;
  std::uint64_t count = 0;
  while (model.next(packet)) ++count;
  return count;
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out{path, std::ios::binary};
  out << text;
  out.close();
  if (!out) throw std::runtime_error{"cannot write " + path};
}

nlohmann::json expected_json(const GeneratorOptions& options, const GenerationResult& result,
                             const std::string& report) {
  const ExpectedAnswers& answers = result.answers;
  nlohmann::json json;
  json["generator"] = {{"model", "office"},
                       {"seed", options.model.seed},
                       {"duration_seconds", options.model.duration_seconds},
                       {"rate", options.model.sessions_per_second},
                       {"size", options.target_bytes},
                       {"unique_names", options.model.unique_names},
                       {"format", format_name(options.format)}};
  nlohmann::json files = nlohmann::json::array();
  for (const auto& file : result.files) files.push_back(file.substr(file.find_last_of('/') + 1));
  json["files"] = files;
  json["packets"] = answers.packets();
  json["watched_host"] = answers.watched_host();
  json["watched_port"] = answers.watched_port();
  json["source_ports"] = answers.source_ports();
  std::uint64_t total = 0;
  nlohmann::json counts = nlohmann::json::object();
  for (const auto& [name, count] : answers.a_query_counts()) {
    counts[name] = count;
    total += count;
  }
  json["a_query_counts"] = counts;
  json["a_query_total"] = total;
  nlohmann::json addresses = nlohmann::json::array();
  nlohmann::json learned = nlohmann::json::array();
  for (const auto& [address, when] : answers.watched_addresses()) {
    addresses.push_back(address.to_string());
    learned.push_back({{"address", address.to_string()},
                       {"packet_index", when.packet_index},
                       {"timestamp_ns", when.timestamp_ns}});
  }
  json["watched_addresses"] = addresses;
  json["watched_addresses_learned"] = learned;
  json["syns_before_learning"] = answers.syns_before_learning();
  json["report"] = report;
  return json;
}

}  // namespace

std::string report_path_for(const std::string& expected_path) {
  const std::string suffix = ".json";
  if (expected_path.size() > suffix.size() &&
      expected_path.compare(expected_path.size() - suffix.size(), suffix.size(), suffix) == 0) {
    return expected_path.substr(0, expected_path.size() - suffix.size()) + ".txt";
  }
  return expected_path + ".txt";
}

GenerationResult generate_capture(const GeneratorOptions& options) {
  const ModelOptions& model_options = options.model;
  RotatingOutput::Limits limits;
  limits.file_count = options.rotate;
  if (options.rotate != 0) {
    if (options.target_bytes != 0) {
      limits.bytes_per_file = (options.target_bytes + options.rotate - 1) / options.rotate;
    } else {
      const std::uint64_t packets = count_packets(model_options);
      limits.packets_per_file = (packets + options.rotate - 1) / options.rotate;
    }
  }

  GenerationResult result{
      {}, 0, ExpectedAnswers{options.watched_host, options.watched_port}, {}, {}};
  OfficeModel model{model_options};
  PacketBuilder builder{options.model.seed};
  RotatingOutput output{options.output, options.format, limits};
  PacketSpec packet;
  bool ending = false;
  while (model.next(packet)) {
    output.write(packet.timestamp_ns, builder.build(packet));
    result.answers.observe(packet);
    if (!ending && options.target_bytes != 0 && output.bytes() >= options.target_bytes) {
      // Conversations already under way play out, as they would at the end of a capture
      // window that waits for them: a few kilobytes more.
      model.end();
      ending = true;
    }
  }
  output.close();
  result.files = output.files();
  result.bytes = output.bytes();

  result.expected_path =
      options.expected_path.empty() ? options.output + ".expected.json" : options.expected_path;
  result.report_path = report_path_for(result.expected_path);
  const std::string report =
      write_text_report(result.answers.watched_host(), result.answers.watched_port(),
                        result.answers.source_ports(), result.answers.a_query_counts());
  write_text(result.expected_path, expected_json(options, result, report).dump(2) + "\n");
  write_text(result.report_path, report);
  return result;
}

}  // namespace pa::generate
