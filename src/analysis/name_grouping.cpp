#include "analysis/name_grouping.hpp"

#include <libpsl.h>

#include <algorithm>
#include <unordered_map>
#include <utility>

namespace pa::analysis {

namespace {

bool is_ipv4_literal(std::string_view name) {
  int labels = 0;
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t end = name.find('.', start);
    if (end == std::string_view::npos) end = name.size();
    const std::string_view label = name.substr(start, end - start);
    if (label.empty() || label.size() > 3) return false;
    int value = 0;
    for (const char c : label) {
      if (c < '0' || c > '9') return false;
      value = value * 10 + (c - '0');
    }
    if (value > 255) return false;
    ++labels;
    start = end + 1;
  }
  return labels == 4;
}

// The list is loaded once; psl_latest picks the newer of libpsl's built-in list and
// /usr/share/publicsuffix (the publicsuffix package).
const psl_ctx_t* public_suffixes() {
  static const psl_ctx_t* const context = [] {
    const psl_ctx_t* latest = psl_latest(nullptr);
    return latest != nullptr ? latest : psl_builtin();
  }();
  return context;
}

}  // namespace

std::string group_of(std::string_view report_name, NameGrouping grouping) {
  if (grouping == NameGrouping::name || report_name == "<root>" ||
      report_name.find('\\') != std::string_view::npos || is_ipv4_literal(report_name)) {
    return std::string(report_name);
  }
  if (grouping == NameGrouping::tld) {
    const std::size_t dot = report_name.rfind('.');
    return std::string(dot == std::string_view::npos ? report_name : report_name.substr(dot + 1));
  }
  const psl_ctx_t* context = public_suffixes();
  if (context == nullptr) return std::string(report_name);
  const std::string name(report_name);
  const char* registrable = psl_registrable_domain(context, name.c_str());
  // A name that is a public suffix itself has no registrable domain: it stays whole.
  return registrable != nullptr ? std::string(registrable) : name;
}

std::vector<NameCount> group_rows(std::span<const NameCount> rows, NameGrouping grouping) {
  struct GroupKeyHash {
    std::size_t operator()(const std::pair<std::string, std::uint16_t>& key) const noexcept {
      return std::hash<std::string>{}(key.first) * 31 + key.second;
    }
  };
  std::unordered_map<std::pair<std::string, std::uint16_t>, std::uint64_t, GroupKeyHash> groups;
  for (const NameCount& row : rows) groups[{group_of(row.name, grouping), row.type}] += row.count;
  std::vector<NameCount> grouped;
  grouped.reserve(groups.size());
  while (!groups.empty()) {
    auto node = groups.extract(groups.begin());
    grouped.push_back({std::move(node.key().first), node.mapped(), node.key().second});
  }
  std::sort(grouped.begin(), grouped.end(), report_order);
  return grouped;
}

}  // namespace pa::analysis
