#include "report/html_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <limits>
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
    "td.n{text-align:right}.bar{fill:#3b6ea8}.folded{fill:#999}.tq{fill:#3b6ea8}.tc{fill:#d9822b}";

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

// A bucket width in words: "4 s", "1/8 s".
std::string describe_width(int exponent) {
  if (exponent >= 0) return fmt::format("{} s", std::uint64_t{1} << exponent);
  return fmt::format("1/{} s", std::uint64_t{1} << -exponent);
}

std::string describe_duration(std::int64_t earliest_ns, std::int64_t latest_ns) {
  const auto nanoseconds = static_cast<unsigned __int128>(static_cast<__int128>(latest_ns) -
                                                          static_cast<__int128>(earliest_ns));
  const auto seconds = static_cast<std::uint64_t>(nanoseconds / 1'000'000'000);
  const auto fraction = static_cast<std::uint64_t>(nanoseconds % 1'000'000'000);
  return fmt::format("{}.{:09} s", seconds, fraction);
}

// The start of bucket `index` at the timeline's width, clamped to the int64 range.
std::int64_t bucket_start_ns(const analysis::Timeline& timeline, std::int64_t index) {
  const __int128 start = static_cast<__int128>(index) * timeline.bucket_width_ns();
  const __int128 lowest = std::numeric_limits<std::int64_t>::min();
  const __int128 highest = std::numeric_limits<std::int64_t>::max();
  return static_cast<std::int64_t>(std::clamp(start, lowest, highest));
}

// Two bars per bucket (queries, connection attempts), each series scaled to its own largest
// bucket, with the first and last bucket's start under the axis.
void write_timeline(std::string& text, const analysis::AnalysisResult& result,
                    const analysis::AnalysisOptions& options) {
  const analysis::Timeline& timeline = result.timeline;
  fmt::format_to(std::back_inserter(text),
                 "<h2>Timeline of queries and connection attempts to port {}</h2>\n",
                 options.watch_port);
  if (timeline.has_no_buckets()) {
    text +=
        "<p id=\"timeline-none\">No query was counted and no connection attempt was seen: "
        "there is no timeline.</p>\n";
    return;
  }
  const auto& buckets = timeline.timeline_buckets();
  std::uint64_t most_queries = 1;
  std::uint64_t most_attempts = 1;
  for (const analysis::Timeline::Bucket& bucket : buckets) {
    most_queries = std::max(most_queries, bucket.queries);
    most_attempts = std::max(most_attempts, bucket.connection_attempts);
  }
  fmt::format_to(std::back_inserter(text),
                 "<p id=\"timeline-interval\">One bar = {} (buckets anchored at 1970-01-01 UTC); "
                 "queries in blue (largest bucket: {}), connection attempts to port {} in "
                 "orange (largest bucket: {}).</p>\n",
                 describe_width(timeline.bucket_width_exponent()), most_queries, options.watch_port,
                 most_attempts);
  constexpr int slot = 12;
  constexpr int plot_height = 120;
  const int width = static_cast<int>(buckets.size()) * slot + 20;
  fmt::format_to(std::back_inserter(text),
                 "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"timeline-chart\" width=\"{}\" "
                 "height=\"{}\" role=\"img\">\n",
                 std::max(width, 520), plot_height + 40);
  const auto height_of = [](std::uint64_t value, std::uint64_t largest) {
    if (value == 0) return 0;
    return std::max(1, static_cast<int>(static_cast<double>(value) / static_cast<double>(largest) *
                                        plot_height));
  };
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    const int x = 10 + static_cast<int>(i) * slot;
    const int q = height_of(buckets[i].queries, most_queries);
    const int c = height_of(buckets[i].connection_attempts, most_attempts);
    const std::int64_t index = timeline.first_bucket() + static_cast<std::int64_t>(i);
    const std::string from = format_timestamp(bucket_start_ns(timeline, index));
    if (q != 0) {
      fmt::format_to(std::back_inserter(text),
                     "<rect class=\"tq\" x=\"{}\" y=\"{}\" width=\"5\" height=\"{}\">"
                     "<title>{}: {} queries</title></rect>\n",
                     x, plot_height - q, q, from, buckets[i].queries);
    }
    if (c != 0) {
      fmt::format_to(std::back_inserter(text),
                     "<rect class=\"tc\" x=\"{}\" y=\"{}\" width=\"5\" height=\"{}\">"
                     "<title>{}: {} connection attempts</title></rect>\n",
                     x + 5, plot_height - c, c, from, buckets[i].connection_attempts);
    }
  }
  const std::int64_t last_index =
      timeline.first_bucket() + static_cast<std::int64_t>(buckets.size()) - 1;
  fmt::format_to(std::back_inserter(text),
                 "<line x1=\"8\" y1=\"{0}\" x2=\"{1}\" y2=\"{0}\" stroke=\"#333\"/>\n"
                 "<text x=\"8\" y=\"{2}\" font-size=\"12\">{3}</text>\n"
                 "<text x=\"{1}\" y=\"{4}\" font-size=\"12\" text-anchor=\"end\">{5}</text>\n",
                 plot_height + 1, width - 8, plot_height + 16,
                 format_timestamp(bucket_start_ns(timeline, timeline.first_bucket())),
                 plot_height + 32, format_timestamp(bucket_start_ns(timeline, last_index + 1)));
  text += "</svg>\n";
  text +=
      "<table id=\"timeline\">\n<tr><th>from (UTC)</th><th>queries</th>"
      "<th>connection attempts</th></tr>\n";
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    if (buckets[i].holds_nothing()) continue;
    const std::int64_t index = timeline.first_bucket() + static_cast<std::int64_t>(i);
    fmt::format_to(std::back_inserter(text),
                   "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
                   format_timestamp(bucket_start_ns(timeline, index)), buckets[i].queries,
                   buckets[i].connection_attempts);
  }
  text += "</table>\n";
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
  if (summary.time_span) {
    summary_row("Time span (UTC)",
                fmt::format("{} to {} ({})", format_timestamp(summary.time_span->earliest_ns),
                            format_timestamp(summary.time_span->latest_ns),
                            describe_duration(summary.time_span->earliest_ns,
                                              summary.time_span->latest_ns)));
  } else {
    summary_row("Time span (UTC)", "no records read");
  }
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
  write_timeline(text, result, options);
  for (const std::string& warning : summary.warnings) {
    fmt::format_to(std::back_inserter(text), "<p class=\"warning\">{}</p>\n", html_escape(warning));
  }
  text += "</body>\n</html>\n";
  out << text;
}

}  // namespace pa::report
