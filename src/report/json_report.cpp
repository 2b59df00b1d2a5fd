#include "report/json_report.hpp"

#include <fmt/format.h>

#include <charconv>
#include <ctime>
#include <nlohmann/json.hpp>
#include <ostream>

#include "analysis/query_types.hpp"
#include "dns/dns_name.hpp"
#include "report/name_table.hpp"
#include "report/percentage.hpp"

namespace pa::report {

namespace {

using Json = nlohmann::ordered_json;  // keys in the documented order

double percentage_number(std::uint64_t count, std::uint64_t total) {
  // The same two decimals the text report prints, read back as a number.
  const std::string text = format_percentage(count, total);
  double value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

std::string watched_host(const analysis::AnalysisOptions& options) {
  const auto name = dns::parse_name(options.watch_host);
  return name ? dns::to_report_string(*name) : options.watch_host;
}

}  // namespace

std::string format_timestamp(std::int64_t timestamp_ns) {
  constexpr std::int64_t ns_per_second = 1'000'000'000;
  std::int64_t seconds = timestamp_ns / ns_per_second;
  std::int64_t nanoseconds = timestamp_ns % ns_per_second;
  if (nanoseconds < 0) {  // before 1970: the fraction still counts forward from a whole second
    nanoseconds += ns_per_second;
    --seconds;
  }
  const auto time = static_cast<std::time_t>(seconds);
  std::tm utc{};
  if (gmtime_r(&time, &utc) == nullptr) return {};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z", utc.tm_year + 1900,
                     utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, nanoseconds);
}

namespace {

// A string that no other value of the report holds, to mark where the names go.
std::string names_placeholder(const RunSummary& summary) {
  std::string placeholder = "@queries.names@";
  const auto appears = [&](const std::string& text) {
    return text.find(placeholder) != std::string::npos;
  };
  const auto anywhere = [&] {
    for (const std::string& input : summary.inputs)
      if (appears(input)) return true;
    for (const std::string& warning : summary.warnings)
      if (appears(warning)) return true;
    return summary.live && (appears(summary.live->interface) || appears(summary.live->filter));
  };
  while (anywhere()) placeholder += '@';
  return placeholder;
}

// The names array, laid out as nlohmann's dump would lay it out at its depth (the array is
// the value of report.queries.names: elements 6 spaces in, the closing bracket 4).
void write_names(std::ostream& out, const NameTable& table, bool indented) {
  if (table.shown.empty()) {
    out << "[]";
    return;
  }
  out << (indented ? "[\n" : "[");
  bool first = true;
  for (const analysis::NameCount& row : table.shown) {
    Json element = {{"name", row.name}};
    if (table.show_type) element["type"] = analysis::query_type_name(row.type);
    element["count"] = row.count;
    element["percentage"] = percentage_number(row.count, table.total);
    if (!first) out << (indented ? ",\n" : ",");
    first = false;
    if (!indented) {
      out << element.dump(-1, ' ', false, Json::error_handler_t::replace);
      continue;
    }
    const std::string text = element.dump(2, ' ', false, Json::error_handler_t::replace);
    std::size_t line_start = 0;
    while (line_start < text.size()) {
      std::size_t line_end = text.find('\n', line_start);
      if (line_end == std::string::npos) line_end = text.size();
      out << "      ";
      out.write(text.data() + line_start, static_cast<std::streamsize>(line_end - line_start));
      if (line_end < text.size()) out << '\n';
      line_start = line_end + 1;
    }
  }
  out << (indented ? "\n    ]" : "]");
}

}  // namespace

void write_json_report(std::ostream& out, const analysis::AnalysisResult& result,
                       const analysis::AnalysisOptions& options, const RunSummary& summary,
                       JsonLayout layout) {
  Json report;
  report["version"] = 1;
  report["inputs"] = summary.inputs;
  if (summary.live) {
    const LiveCaptureSummary& live = *summary.live;
    Json kernel = nullptr;
    if (live.kernel) {
      kernel = {{"received", live.kernel->received},
                {"dropped", live.kernel->dropped},
                {"interface_dropped", live.kernel->interface_dropped}};
    }
    report["live"] = {{"interface", live.interface},
                      {"filter", live.filter},
                      {"start", format_timestamp(live.start_ns)},
                      {"end", format_timestamp(live.end_ns)},
                      {"final", live.final},
                      {"kernel", kernel}};
  }
  report["watch"] = {{"host", watched_host(options)},
                     {"port", options.watch_port},
                     {"learn_from_dns", options.learn_from_dns}};

  Json by_reason = Json::object();
  for (std::size_t i = 0; i < base::drop_reason_count; ++i) {
    const auto reason = static_cast<base::Drop>(i);
    if (result.drops[reason] != 0)
      by_reason[std::string(base::to_string(reason))] = result.drops[reason];
  }
  const std::uint64_t skipped = result.skipped_packets;
  report["packets"] = {
      {"read", summary.packets_read},
      {"analyzed", summary.packets_read > skipped ? summary.packets_read - skipped : 0},
      {"skipped", skipped},
      {"skipped_by_reason", by_reason}};
  report["dns"] = {{"messages", result.dns_messages},
                   {"malformed", result.malformed_dns_messages},
                   {"malformed_answer_sections", result.malformed_answer_sections}};

  Json addresses = Json::array();
  for (const analysis::LearnedAddress& learned : result.watched_addresses) {
    const bool preset = learned.packet_number == 0;
    addresses.push_back(
        {{"address", learned.address.to_string()},
         {"packet", learned.packet_number},
         {"time", preset ? Json(nullptr) : Json(format_timestamp(learned.timestamp_ns))},
         {"source", preset ? "preset" : "dns"}});
  }
  report["watched_addresses"] = addresses;
  report["source_ports"] = result.source_ports;

  // The names can be millions: they are written one by one where a placeholder stands, so
  // the whole array never exists as one JSON value or one string.
  const std::string placeholder = names_placeholder(summary);
  const NameTable table = make_name_table(result, options);
  report["queries"] = {{"total", result.total_queries}};
  // --qtype, --group-by and --top are told only when given, so the default report is as it was.
  if (options.query_types.size() != 1 || options.query_types.front() != 1) {
    Json types = Json::array();
    for (const std::uint16_t type : options.query_types) {
      types.push_back(analysis::query_type_name(type));
    }
    report["queries"]["types"] = options.query_types.empty() ? Json("any") : types;
  }
  if (options.group_by != analysis::NameGrouping::name) {
    report["queries"]["group_by"] =
        options.group_by == analysis::NameGrouping::tld ? "tld" : "registrable-domain";
  }
  report["queries"]["names"] = placeholder;
  if (table.folds) {
    report["queries"]["folded"] = {
        {"names", table.folded_rows},
        {"count", table.folded_count},
        {"percentage", percentage_number(table.folded_count, table.total)}};
  }
  report["warnings"] = summary.warnings;
  if (!summary.stream_health.empty()) {
    Json health = Json::object();
    for (const auto& [name, count] : summary.stream_health) health[name] = count;
    report["stream"] = health;
  }
  if (summary.work_split) {
    const WorkSplit& split = *summary.work_split;
    Json& account = report[split.json_key];
    account = {{"workers", split.workers},
               {"pieces", split.pieces},
               {"pieces_read_again", split.pieces_read_again}};
    if (!split.one_thread_because.empty()) {
      account["one_thread_because"] = split.one_thread_because;
    }
  }

  const bool indented = layout == JsonLayout::indented;
  const std::string text =
      report.dump(indented ? 2 : -1, ' ', false, Json::error_handler_t::replace);
  const std::string quoted = "\"" + placeholder + "\"";
  const std::size_t at = text.find(quoted);
  out.write(text.data(), static_cast<std::streamsize>(at));
  write_names(out, table, indented);
  const std::size_t after = at + quoted.size();
  out.write(text.data() + after, static_cast<std::streamsize>(text.size() - after));
  out << '\n';
}

}  // namespace pa::report
