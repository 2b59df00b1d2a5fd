#include "base/ip_address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace pa::base {

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  const std::string terminated(text);
  std::array<std::uint8_t, 16> buffer{};
  if (inet_pton(AF_INET, terminated.c_str(), buffer.data()) == 1) {
    return v4(std::span<const std::uint8_t, 4>(buffer.data(), 4));
  }
  if (inet_pton(AF_INET6, terminated.c_str(), buffer.data()) == 1) {
    return v6(std::span<const std::uint8_t, 16>(buffer.data(), 16));
  }
  return std::nullopt;
}

std::string IpAddress::to_string() const {
  char text[INET6_ADDRSTRLEN] = {};
  const int family = is_v4() ? AF_INET : AF_INET6;
  if (inet_ntop(family, bytes_.data(), text, sizeof text) == nullptr) return {};
  return text;
}

std::size_t IpAddress::hash() const noexcept {
  // FNV-1a over the bytes in use: small, good enough for address sets of any realistic size.
  std::uint64_t h = 1469598103934665603ULL ^ static_cast<std::uint64_t>(family_);
  for (const std::uint8_t b : bytes()) {
    h ^= b;
    h *= 1099511628211ULL;
  }
  return static_cast<std::size_t>(h);
}

}  // namespace pa::base
