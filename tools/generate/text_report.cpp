#include "text_report.hpp"

#include <algorithm>
#include <cstdio>
#include <utility>
#include <vector>

namespace pa::generate {
namespace {

bool plain(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

void append_padded(std::string& out, std::string_view text, std::size_t width) {
  out += text;
  if (text.size() < width) out.append(width - text.size(), ' ');
}

void append_title(std::string& out, std::string_view title) {
  out += title;
  out += '\n';
  out.append(title.size(), '=');
  out += '\n';
}

}  // namespace

std::string escape_name(std::string_view name) {
  if (name.empty()) return "<root>";
  std::string out;
  for (const char c : name) {
    if (c == '.' || plain(c)) {
      out += c;
    } else if (c == '\\') {
      out += "\\\\";
    } else {
      char digits[8];
      std::snprintf(digits, sizeof digits, "\\%03u",
                    static_cast<unsigned>(static_cast<unsigned char>(c)));
      out += digits;
    }
  }
  return out;
}

std::string write_text_report(std::string_view watched_host, std::uint16_t watched_port,
                              const std::set<std::uint16_t>& source_ports,
                              const std::map<std::string, std::uint64_t>& a_query_counts) {
  std::string out;
  append_title(out, "List of TCP source ports from connections initiated to " +
                        std::string{watched_host} + ":" + std::to_string(watched_port));
  for (const std::uint16_t port : source_ports) out += std::to_string(port) + "\n";
  out += '\n';

  append_title(out, "Domain name distribution in DNS resolution queries");
  std::vector<std::pair<std::string, std::uint64_t>> rows;
  std::uint64_t total = 0;
  std::size_t name_width = 20;
  std::size_t count_width = 5;
  for (const auto& [name, count] : a_query_counts) {
    rows.emplace_back(escape_name(name), count);
    total += count;
    name_width = std::max(name_width, rows.back().first.size());
    count_width = std::max(count_width, std::to_string(count).size());
  }
  // Count descending, then name ascending in byte order.
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  std::string header;
  append_padded(header, "name", name_width);
  header += " | ";
  append_padded(header, "count", count_width);
  header += " | percentage of total";
  out += header + "\n";
  out.append(header.size(), '-');
  out += '\n';
  for (const auto& [name, count] : rows) {
    append_padded(out, name, name_width);
    out += " | ";
    append_padded(out, std::to_string(count), count_width);
    char percentage[32];
    std::snprintf(percentage, sizeof percentage, "%.2f%%",
                  100.0 * static_cast<double>(count) / static_cast<double>(total));
    out += " | ";
    out += percentage;
    out += '\n';
  }
  out += '\n';
  return out;
}

}  // namespace pa::generate
