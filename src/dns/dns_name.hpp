#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/byte_reader.hpp"
#include "base/result.hpp"

namespace pa::dns {

// A domain name in its canonical form: uncompressed wire labels (length byte, then the label's
// bytes), ASCII letters lowered, ending with the root's zero byte. Held in place, so decoding a
// name never allocates. Two names are the same name exactly when their canonical bytes are
// equal, which makes the bytes usable as a map key.
class DnsName {
 public:
  // RFC 1035 2.3.4: a label is at most 63 bytes, a name at most 255 bytes on the wire.
  static constexpr std::size_t max_label_length = 63;
  static constexpr std::size_t max_wire_length = 255;

  // The root name: a single zero byte.
  constexpr DnsName() noexcept = default;

  // The canonical wire bytes, as text so that maps keyed by names can look them up without
  // allocating (heterogeneous lookup).
  [[nodiscard]] std::string_view key() const noexcept { return {bytes_.data(), length_}; }
  [[nodiscard]] bool is_root() const noexcept { return length_ == 1; }

  // Back to the root name. Cheaper than assigning DnsName{}, which would clear all 255 bytes
  // for every name decoded.
  void clear() noexcept {
    bytes_[0] = 0;
    length_ = 1;
  }

  // Appends a label (lowering ASCII letters). False, leaving the name unchanged, when the
  // label is empty, longer than 63 bytes, or the name would pass 255 bytes.
  bool append_label(std::span<const std::uint8_t> label) noexcept;

  bool operator==(const DnsName& other) const noexcept { return key() == other.key(); }

 private:
  std::array<char, max_wire_length> bytes_{};
  std::size_t length_ = 1;
};

// Decodes the (possibly compressed) name at `offset` of `message` into `name`. Returns the
// offset just past the name where it sits (past its first compression pointer, if any).
// Fails with Drop::dns_truncated when the name runs past the end of `message`, and with
// Drop::dns_malformed when it breaks RFC 1035's rules: a pointer that does not point strictly
// before the label sequence it was read in, a 0x40 or 0x80 label type, a name over 255 bytes.
base::Result<std::size_t> decode_name(base::Bytes message, std::size_t offset,
                                      DnsName& name) noexcept;

// Reads a name typed by a person (`www.Example.com`, a trailing dot allowed, `.` for the
// root, zone-file escapes `\.`, `\\` and `\DDD` understood). nullopt when it is not a valid
// name (empty labels, a label over 63 bytes, over 255 bytes, a bad escape, empty text).
std::optional<DnsName> parse_name(std::string_view text);

// The report form of a canonical name (dns_name_escaping.cpp): labels joined with `.`, no
// trailing dot, the root as `<root>`, and inside a label every byte outside [a-z0-9-_]
// escaped the zone-file way (`\.`, `\\`, otherwise `\DDD` in decimal), so the text is plain
// printable ASCII whatever the name holds.
std::string to_report_string(const DnsName& name);
// The same for canonical wire bytes as DnsName::key() gives them.
std::string to_report_string(std::string_view canonical_wire);

}  // namespace pa::dns
