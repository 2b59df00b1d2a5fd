#include "report/text_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <ostream>
#include <string>

#include "analysis/query_types.hpp"
#include "dns/dns_name.hpp"
#include "report/name_table.hpp"
#include "report/percentage.hpp"

namespace pa::report {

namespace {

void write_title(std::string& out, const std::string& title) {
  out += title;
  out += '\n';
  out.append(title.size(), '=');
  out += '\n';
}

// The watched host as the analysis compares it; text that is no name is shown as typed
// (the Analyzer refuses such options, so only a caller that skipped it gets here).
std::string watched_host(const analysis::AnalysisOptions& options) {
  const auto name = dns::parse_name(options.watch_host);
  return name ? dns::to_report_string(*name) : options.watch_host;
}

}  // namespace

void write_text_report(std::ostream& out, const analysis::AnalysisResult& result,
                       const analysis::AnalysisOptions& options) {
  std::string text;
  write_title(text, fmt::format("List of TCP source ports from connections initiated to {}:{}",
                                watched_host(options), options.watch_port));
  for (const std::uint16_t port : result.source_ports)
    fmt::format_to(std::back_inserter(text), "{}\n", port);
  text += '\n';

  write_title(text, "Domain name distribution in DNS resolution queries");
  // SPEC: the name column is as wide as the longest name or 20, the count column as the
  // widest count or 5 (the width of its heading). --qtype with several types adds a type
  // column after the name; --top adds a last row that folds the rest.
  const NameTable table = make_name_table(result, options);
  const bool folded_row = table.folds && table.folded_rows != 0;
  std::size_t name_width = 20;
  std::size_t type_width = 4;
  std::size_t count_width = 5;
  for (const analysis::NameCount& row : table.shown) {
    name_width = std::max(name_width, row.name.size());
    count_width = std::max(count_width, fmt::formatted_size("{}", row.count));
    if (table.show_type)
      type_width = std::max(type_width, analysis::query_type_name(row.type).size());
  }
  if (folded_row) {
    name_width = std::max(name_width, folded_label(table.folded_rows).size());
    count_width = std::max(count_width, fmt::formatted_size("{}", table.folded_count));
  }
  const std::string header =
      table.show_type ? fmt::format("{:<{}} | {:<{}} | {:<{}} | percentage of total", "name",
                                    name_width, "type", type_width, "count", count_width)
                      : fmt::format("{:<{}} | {:<{}} | percentage of total", "name", name_width,
                                    "count", count_width);
  text += header;
  text += '\n';
  text.append(header.size(), '-');
  text += '\n';
  const auto write_row = [&](const std::string& name, const std::string& type,
                             std::uint64_t count) {
    if (table.show_type) {
      fmt::format_to(std::back_inserter(text), "{:<{}} | {:<{}} | {:<{}} | {}%\n", name, name_width,
                     type, type_width, count, count_width, format_percentage(count, table.total));
    } else {
      fmt::format_to(std::back_inserter(text), "{:<{}} | {:<{}} | {}%\n", name, name_width, count,
                     count_width, format_percentage(count, table.total));
    }
  };
  // Written out in pieces: a report of a million names need not exist twice in memory.
  constexpr std::size_t piece_bytes = 64 * 1024;
  for (const analysis::NameCount& row : table.shown) {
    write_row(row.name, table.show_type ? analysis::query_type_name(row.type) : std::string(),
              row.count);
    if (text.size() >= piece_bytes) {
      out << text;
      text.clear();
    }
  }
  if (folded_row) write_row(folded_label(table.folded_rows), "", table.folded_count);
  text += '\n';
  out << text;
}

}  // namespace pa::report
