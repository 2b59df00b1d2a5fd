#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/byte_reader.hpp"
#include "base/ip_address.hpp"

namespace pa::stream {

// An address on the wire: its family (4 or 6), then its 4 or 16 bytes.
inline void append_address(std::vector<std::uint8_t>& out, const base::IpAddress& address) {
  out.push_back(address.is_v4() ? 4 : 6);
  out.insert(out.end(), address.bytes().begin(), address.bytes().end());
}

inline std::optional<base::IpAddress> read_address(base::ByteReader& reader) noexcept {
  const std::uint8_t family = reader.u8();
  if (family == 4) {
    const base::Bytes bytes = reader.bytes(4);
    if (reader.failed()) return std::nullopt;
    return base::IpAddress::v4(bytes.first<4>());
  }
  if (family == 6) {
    const base::Bytes bytes = reader.bytes(16);
    if (reader.failed()) return std::nullopt;
    return base::IpAddress::v6(bytes.first<16>());
  }
  return std::nullopt;
}

}  // namespace pa::stream
