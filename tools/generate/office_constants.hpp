#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/ip_address.hpp"

// What the parts of the office model share: time units and the link's constants.
namespace pa::generate::office {

inline constexpr std::int64_t us = 1000;
inline constexpr std::int64_t ms = 1000 * us;
inline constexpr std::int64_t s = 1000 * ms;
inline constexpr std::uint16_t dns_port = 53;
// RFC 894 with a 1500-byte MTU: what one IPv4 fragment can carry, a multiple of 8.
inline constexpr std::size_t fragment_payload = 1480;
inline constexpr std::uint32_t mss = 1448;  // 1500 - 20 (IP) - 32 (TCP with timestamps)

// For the model's own literals, which are known to parse.
inline base::IpAddress address(std::string_view text) { return *base::IpAddress::parse(text); }

}  // namespace pa::generate::office
