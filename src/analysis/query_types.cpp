#include "analysis/query_types.hpp"

#include <array>
#include <charconv>
#include <utility>

namespace pa::analysis {

namespace {

constexpr std::array<std::pair<std::uint16_t, std::string_view>, 22> type_mnemonics = {{
    {1, "A"},      {2, "NS"},      {5, "CNAME"}, {6, "SOA"},   {12, "PTR"},   {13, "HINFO"},
    {15, "MX"},    {16, "TXT"},    {28, "AAAA"}, {33, "SRV"},  {35, "NAPTR"}, {43, "DS"},
    {46, "RRSIG"}, {48, "DNSKEY"}, {52, "TLSA"}, {64, "SVCB"}, {65, "HTTPS"}, {99, "SPF"},
    {252, "AXFR"}, {255, "ANY"},   {256, "URI"}, {257, "CAA"},
}};

std::optional<std::uint16_t> type_number(std::string_view text) {
  unsigned value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || text.empty() || value > 65535) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

char lower_mnemonic_letter(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

bool same_mnemonic(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t at = 0; at < a.size(); ++at) {
    if (lower_mnemonic_letter(a[at]) != lower_mnemonic_letter(b[at])) return false;
  }
  return true;
}

}  // namespace

std::string query_type_name(std::uint16_t type) {
  for (const auto& [value, name] : type_mnemonics)
    if (value == type) return std::string(name);
  std::string rfc3597_name = "TYPE";
  rfc3597_name += std::to_string(type);
  return rfc3597_name;
}

std::optional<std::uint16_t> parse_query_type(std::string_view text) {
  for (const auto& [value, name] : type_mnemonics)
    if (same_mnemonic(text, name)) return value;
  if (text.size() > 4 && same_mnemonic(text.substr(0, 4), "TYPE"))
    return type_number(text.substr(4));
  return type_number(text);
}

std::string known_query_types() {
  std::string mnemonic_list;
  for (const auto& [value, name] : type_mnemonics) {
    if (!mnemonic_list.empty()) mnemonic_list += ", ";
    mnemonic_list += name;
  }
  return mnemonic_list;
}

}  // namespace pa::analysis
