#include "report/html_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <ostream>

#include "analysis/query_types.hpp"
#include "dns/dns_name.hpp"
#include "report/json_report.hpp"
#include "report/name_table.hpp"
#include "report/percentage.hpp"

namespace pa::report {

std::string html_escape(std::string_view text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        escaped += "&amp;";
        break;
      case '<':
        escaped += "&lt;";
        break;
      case '>':
        escaped += "&gt;";
        break;
      case '"':
        escaped += "&quot;";
        break;
      case '\'':
        escaped += "&#39;";
        break;
      default:
        // Control bytes are not allowed in XHTML: shown as U+FFFD.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') {
          escaped += "&#xFFFD;";
        } else {
          escaped += c;
        }
    }
  }
  return escaped;
}

namespace {

constexpr const char* style =
    "body{font-family:sans-serif;margin:2em;color:#222}"
    "table{border-collapse:collapse;margin-bottom:1.5em}"
    "td,th{border:1px solid #bbb;padding:2px 8px;text-align:left}"
    "td.n{text-align:right}.bar{fill:#3b6ea8}.folded{fill:#999}";

std::string watched_host(const analysis::AnalysisOptions& options) {
  const auto name = dns::parse_name(options.watch_host);
  return name ? dns::to_report_string(*name) : options.watch_host;
}

constexpr std::size_t chart_label_bytes = 44;

void write_chart(std::string& text, const NameTable& table) {
  constexpr int row_height = 22;
  constexpr int label_width = 300;
  constexpr int bar_width = 400;
  const std::size_t rows = table.shown.size() + (table.folds && table.folded_rows ? 1 : 0);
  if (rows == 0) {
    text += "<p>No queries were counted.</p>\n";
    return;
  }
  std::uint64_t largest = 1;
  for (const analysis::NameCount& row : table.shown) largest = std::max(largest, row.count);
  if (table.folds) largest = std::max(largest, table.folded_count);
  const int height = static_cast<int>(rows) * row_height + 4;
  fmt::format_to(std::back_inserter(text),
                 "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"name-chart\" width=\"{}\" "
                 "height=\"{}\" role=\"img\">\n",
                 label_width + bar_width + 200, height);
  int y = 2;
  const auto bar = [&](const std::string& label, std::uint64_t count, const char* kind) {
    const int width = std::max(
        1, static_cast<int>(static_cast<double>(count) / static_cast<double>(largest) * bar_width));
    fmt::format_to(std::back_inserter(text),
                   "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"13\">{}</text>"
                   "<rect class=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>"
                   "<text x=\"{}\" y=\"{}\" font-size=\"13\">{} ({}%)</text>\n",
                   label_width - 6, y + 15, html_escape(label), kind, label_width, y, width,
                   row_height - 6, label_width + width + 6, y + 15, count,
                   format_percentage(count, table.total));
    y += row_height;
  };
  for (const analysis::NameCount& row : table.shown) {
    // The chart's label column is 300 px wide: a longer name is cut there (the table below
    // the chart shows it whole).
    std::string label;
    if (row.name.size() > chart_label_bytes) {
      label.assign(row.name, 0, chart_label_bytes - 1);
      label += "\u2026";
    } else {
      label = row.name;
    }
    if (table.show_type) {
      label += ' ';
      label += analysis::query_type_name(row.type);
    }
    bar(label, row.count, "bar");
  }
  if (table.folds && table.folded_rows)
    bar(folded_label(table.folded_rows), table.folded_count, "folded");
  text += "</svg>\n";
}

}  // namespace

void write_html_report(std::ostream& out, const analysis::AnalysisResult& result,
                       const analysis::AnalysisOptions& options, const RunSummary& summary) {
  analysis::AnalysisOptions shown_options = options;
  if (!shown_options.top) shown_options.top = html_default_top;
  const NameTable table = make_name_table(result, shown_options);

  std::string text =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n"
      "<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n"
      "<meta charset=\"UTF-8\"/>\n<title>packet-analysis report</title>\n<style>";
  text += style;
  text += "</style>\n</head>\n<body>\n<h1>packet-analysis report</h1>\n";

  text += "<h2>Summary</h2>\n<table id=\"summary\">\n";
  const auto summary_row = [&](std::string_view label, const std::string& value) {
    fmt::format_to(std::back_inserter(text), "<tr><th>{}</th><td>{}</td></tr>\n", label,
                   html_escape(value));
  };
  std::string inputs;
  for (const std::string& input : summary.inputs) {
    if (!inputs.empty()) inputs += ", ";
    inputs += input;
  }
  if (summary.live) {
    inputs = "live capture on ";
    inputs += summary.live->interface;
  }
  summary_row("Inputs", inputs);
  summary_row("Packets read", std::to_string(summary.packets_read));
  summary_row("Packets skipped", std::to_string(result.skipped_packets));
  summary_row("DNS messages", std::to_string(result.dns_messages));
  summary_row("Malformed DNS messages", std::to_string(result.malformed_dns_messages));
  summary_row("Queries counted", std::to_string(result.total_queries));
  for (std::size_t i = 0; i < base::drop_reason_count; ++i) {
    const auto reason = static_cast<base::Drop>(i);
    if (result.drops[reason] != 0) {
      summary_row(fmt::format("Dropped: {}", base::to_string(reason)),
                  std::to_string(result.drops[reason]));
    }
  }
  text += "</table>\n";

  text += "<h2>Domain name distribution</h2>\n";
  write_chart(text, table);
  text += "<table id=\"names\">\n<tr><th>name</th>";
  if (table.show_type) text += "<th>type</th>";
  text += "<th>count</th><th>percentage of total</th></tr>\n";
  const auto name_row = [&](const std::string& name, const std::string& type, std::uint64_t count) {
    fmt::format_to(std::back_inserter(text), "<tr><td>{}</td>", html_escape(name));
    if (table.show_type) fmt::format_to(std::back_inserter(text), "<td>{}</td>", type);
    fmt::format_to(std::back_inserter(text),
                   "<td class=\"n\">{}</td><td class=\"n\">{}%</td></tr>\n", count,
                   format_percentage(count, table.total));
  };
  for (const analysis::NameCount& row : table.shown) {
    name_row(row.name, analysis::query_type_name(row.type), row.count);
  }
  if (table.folded_rows != 0) name_row(folded_label(table.folded_rows), "", table.folded_count);
  text += "</table>\n";

  fmt::format_to(std::back_inserter(text), "<h2>Addresses of {}</h2>\n",
                 html_escape(watched_host(options)));
  text += "<table id=\"addresses\">\n<tr><th>address</th><th>packet</th><th>time</th></tr>\n";
  for (const analysis::LearnedAddress& learned : result.watched_addresses) {
    const bool preset = learned.packet_number == 0;
    fmt::format_to(std::back_inserter(text),
                   "<tr><td>{}</td><td class=\"n\">{}</td><td>{}</td></tr>\n",
                   html_escape(learned.address.to_string()), learned.packet_number,
                   preset ? std::string("preset (-g)") : format_timestamp(learned.timestamp_ns));
  }
  text += "</table>\n";

  fmt::format_to(std::back_inserter(text),
                 "<h2>Source ports of connections to port {}</h2>\n<p id=\"ports\">",
                 options.watch_port);
  bool first = true;
  for (const std::uint16_t port : result.source_ports) {
    if (!first) text += ' ';
    first = false;
    fmt::format_to(std::back_inserter(text), "{}", port);
  }
  if (result.source_ports.empty()) text += "none";
  text += "</p>\n";
  for (const std::string& warning : summary.warnings) {
    fmt::format_to(std::back_inserter(text), "<p class=\"warning\">{}</p>\n", html_escape(warning));
  }
  text += "</body>\n</html>\n";
  out << text;
}

}  // namespace pa::report
