#include "report/csv_report.hpp"

#include <fmt/format.h>

#include <ostream>
#include <utility>

#include "analysis/query_types.hpp"
#include "report/json_report.hpp"
#include "report/name_table.hpp"
#include "report/percentage.hpp"

namespace pa::report {

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

namespace {

struct Row {
  std::string_view section;
  std::string name;
  std::string type;
  std::string count;
  std::string percentage;
  std::string address;
  std::string packet;
  std::string learned_at;  // the time column
  std::string port;
};

void write_row(std::string& text, const Row& row) {
  text += csv_field(row.section);
  for (const std::string* field : {&row.name, &row.type, &row.count, &row.percentage, &row.address,
                                   &row.packet, &row.learned_at, &row.port}) {
    text += ',';
    text += csv_field(*field);
  }
  text += "\r\n";
}

}  // namespace

void write_csv_report(std::ostream& out, const analysis::AnalysisResult& result,
                      const analysis::AnalysisOptions& options, const RunSummary& summary) {
  std::string text = "section,name,type,count,percentage,address,packet,time,port\r\n";
  const auto summary_row = [&](std::string name, std::uint64_t count) {
    write_row(text, {"summary", std::move(name), {}, std::to_string(count), {}, {}, {}, {}, {}});
  };
  for (const std::string& input : summary.inputs) {
    write_row(text, {"input", input, {}, {}, {}, {}, {}, {}, {}});
  }
  summary_row("packets_read", summary.packets_read);
  summary_row("packets_skipped", result.skipped_packets);
  for (std::size_t i = 0; i < base::drop_reason_count; ++i) {
    const auto reason = static_cast<base::Drop>(i);
    if (result.drops[reason] != 0) {
      std::string label = "skipped:";
      label += base::to_string(reason);
      summary_row(std::move(label), result.drops[reason]);
    }
  }
  summary_row("dns_messages", result.dns_messages);
  summary_row("dns_malformed", result.malformed_dns_messages);
  summary_row("dns_malformed_answer_sections", result.malformed_answer_sections);
  summary_row("queries_total", result.total_queries);

  const NameTable table = make_name_table(result, options);
  constexpr std::size_t piece_bytes = 64 * 1024;
  for (const analysis::NameCount& row : table.shown) {
    write_row(text, {"name",
                     row.name,
                     analysis::query_type_name(row.type),
                     std::to_string(row.count),
                     format_percentage(row.count, table.total),
                     {},
                     {},
                     {},
                     {}});
    if (text.size() >= piece_bytes) {
      out << text;
      text.clear();
    }
  }
  if (table.folds) {
    write_row(text, {"folded",
                     folded_label(table.folded_rows),
                     {},
                     std::to_string(table.folded_count),
                     format_percentage(table.folded_count, table.total),
                     {},
                     {},
                     {},
                     {}});
  }
  for (const analysis::LearnedAddress& learned : result.watched_addresses) {
    const bool preset = learned.packet_number == 0;
    write_row(text, {"address",
                     {},
                     {},
                     {},
                     {},
                     learned.address.to_string(),
                     std::to_string(learned.packet_number),
                     preset ? std::string() : format_timestamp(learned.timestamp_ns),
                     {}});
  }
  for (const std::uint16_t port : result.source_ports) {
    write_row(text, {"port", {}, {}, {}, {}, {}, {}, {}, std::to_string(port)});
  }
  out << text;
}

}  // namespace pa::report
