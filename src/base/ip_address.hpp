#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace pa::base {

// An IPv4 or IPv6 address as a value: 16 bytes plus the family, so both kinds fit one set.
// An IPv4 address uses the first 4 bytes; the rest stay zero, which keeps == and < exact.
class IpAddress {
 public:
  enum class Family : std::uint8_t { ipv4 = 4, ipv6 = 6 };

  constexpr IpAddress() noexcept = default;

  static IpAddress v4(std::span<const std::uint8_t, 4> bytes) noexcept {
    IpAddress address;
    address.set_v4(bytes);
    return address;
  }
  static IpAddress v6(std::span<const std::uint8_t, 16> bytes) noexcept {
    IpAddress address;
    address.set_v6(bytes);
    return address;
  }
  // Accepts dotted quads and RFC 4291 text forms (what inet_pton accepts); nullopt otherwise.
  static std::optional<IpAddress> parse(std::string_view text);

  // In place, for the decoders: a temporary copied into a view was a store-forwarding stall
  // on every packet (docs/performance.md).
  void set_v4(std::span<const std::uint8_t, 4> bytes) noexcept {
    bytes_ = {};
    std::copy(bytes.begin(), bytes.end(), bytes_.begin());
    family_ = Family::ipv4;
  }
  void set_v6(std::span<const std::uint8_t, 16> bytes) noexcept {
    std::copy(bytes.begin(), bytes.end(), bytes_.begin());
    family_ = Family::ipv6;
  }

  [[nodiscard]] Family family() const noexcept { return family_; }
  [[nodiscard]] bool is_v4() const noexcept { return family_ == Family::ipv4; }
  [[nodiscard]] std::span<const std::uint8_t> bytes() const noexcept {
    return {bytes_.data(), is_v4() ? std::size_t{4} : std::size_t{16}};
  }
  // inet_ntop's form: dotted quad, or RFC 5952 compressed IPv6.
  [[nodiscard]] std::string to_string() const;

  auto operator<=>(const IpAddress&) const = default;
  bool operator==(const IpAddress&) const = default;

  [[nodiscard]] std::size_t hash() const noexcept;

 private:
  std::array<std::uint8_t, 16> bytes_{};
  Family family_ = Family::ipv4;
};

}  // namespace pa::base

template <>
struct std::hash<pa::base::IpAddress> {
  std::size_t operator()(const pa::base::IpAddress& address) const noexcept {
    return address.hash();
  }
};
