#include <cstdint>
#include <string>
#include <string_view>

#include "dns/dns_name.hpp"

namespace pa::dns {

namespace {

constexpr bool is_plain(std::uint8_t byte) noexcept {
  return (byte >= 'a' && byte <= 'z') || (byte >= '0' && byte <= '9') || byte == '-' || byte == '_';
}

void append_escaped(std::string& out, std::uint8_t byte) {
  // Names are compared in lower case, so they are reported in it too: never escaped.
  if (byte >= 'A' && byte <= 'Z') byte = static_cast<std::uint8_t>(byte + ('a' - 'A'));
  if (is_plain(byte)) {
    out.push_back(static_cast<char>(byte));
  } else if (byte == '.' || byte == '\\') {
    out.push_back('\\');
    out.push_back(static_cast<char>(byte));
  } else {
    // RFC 1035 5.1: \DDD, the byte's value in three decimal digits.
    out.push_back('\\');
    out.push_back(static_cast<char>('0' + byte / 100));
    out.push_back(static_cast<char>('0' + byte / 10 % 10));
    out.push_back(static_cast<char>('0' + byte % 10));
  }
}

}  // namespace

std::string to_report_string(std::string_view canonical_wire) {
  std::string out;
  std::size_t position = 0;
  while (position < canonical_wire.size()) {
    const auto length = static_cast<std::uint8_t>(canonical_wire[position]);
    if (length == 0 || length > canonical_wire.size() - position - 1) break;
    if (!out.empty()) out.push_back('.');
    for (std::size_t i = 1; i <= length; ++i) {
      append_escaped(out, static_cast<std::uint8_t>(canonical_wire[position + i]));
    }
    position += 1 + length;
  }
  if (out.empty()) return "<root>";
  return out;
}

std::string to_report_string(const DnsName& name) { return to_report_string(name.key()); }

}  // namespace pa::dns
