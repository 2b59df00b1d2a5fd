#pragma once

// Builds DNS messages for tests, field by field, so each test states its bytes.

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>
#include <vector>

namespace pa::dns::testing {

// RFC 1035 4.1.1 flag words: QR and OPCODE are what the analysis reads.
inline constexpr std::uint16_t standard_query = 0x0100;     // QR=0 OPCODE=0 RD
inline constexpr std::uint16_t standard_response = 0x8180;  // QR=1 OPCODE=0 RD RA
inline constexpr std::uint16_t notify_query = 0x2000;       // QR=0 OPCODE=4 (RFC 1996)

class TestMessage {
 public:
  TestMessage& header(std::uint16_t flags, std::uint16_t questions, std::uint16_t answers,
                      std::uint16_t authorities = 0, std::uint16_t additionals = 0) {
    return u16(0x1234).u16(flags).u16(questions).u16(answers).u16(authorities).u16(additionals);
  }
  TestMessage& u8(std::uint8_t v) {
    bytes_.push_back(v);
    return *this;
  }
  TestMessage& u16(std::uint16_t v) {
    return u8(static_cast<std::uint8_t>(v >> 8)).u8(static_cast<std::uint8_t>(v));
  }
  TestMessage& u32(std::uint32_t v) {
    return u16(static_cast<std::uint16_t>(v >> 16)).u16(static_cast<std::uint16_t>(v));
  }
  TestMessage& raw(std::initializer_list<std::uint8_t> bytes) {
    bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
    return *this;
  }
  // Uncompressed labels of a dotted name ("" is the root), ending with the zero byte.
  TestMessage& name(std::string_view dotted) {
    labels(dotted);
    return u8(0);
  }
  // Labels of a dotted name (possibly none) followed by a compression pointer.
  TestMessage& name_then_pointer(std::string_view dotted, std::uint16_t target) {
    labels(dotted);
    return u16(static_cast<std::uint16_t>(0xC000 | target));
  }
  TestMessage& question(std::string_view dotted, std::uint16_t type = 1, std::uint16_t klass = 1) {
    return name(dotted).u16(type).u16(klass);
  }
  TestMessage& a(std::string_view owner, std::initializer_list<std::uint8_t> address) {
    name(owner).u16(1).u16(1).u32(300).u16(static_cast<std::uint16_t>(address.size()));
    return raw(address);
  }
  TestMessage& aaaa(std::string_view owner, std::initializer_list<std::uint8_t> address) {
    name(owner).u16(28).u16(1).u32(300).u16(static_cast<std::uint16_t>(address.size()));
    return raw(address);
  }
  TestMessage& cname(std::string_view owner, std::string_view target) {
    name(owner).u16(5).u16(1).u32(300);
    const std::size_t length_at = bytes_.size();
    u16(0);
    const std::size_t start = bytes_.size();
    name(target);
    const std::size_t length = bytes_.size() - start;
    bytes_[length_at] = static_cast<std::uint8_t>(length >> 8);
    bytes_[length_at + 1] = static_cast<std::uint8_t>(length);
    return *this;
  }

  [[nodiscard]] std::size_t size() const { return bytes_.size(); }
  [[nodiscard]] std::span<const std::uint8_t> bytes() const { return bytes_; }
  [[nodiscard]] const std::vector<std::uint8_t>& vector() const { return bytes_; }

 private:
  void labels(std::string_view dotted) {
    while (!dotted.empty()) {
      const std::size_t dot = dotted.find('.');
      const std::string_view label = dotted.substr(0, dot);
      u8(static_cast<std::uint8_t>(label.size()));
      for (const char c : label) u8(static_cast<std::uint8_t>(c));
      if (dot == std::string_view::npos) break;
      dotted.remove_prefix(dot + 1);
    }
  }

  std::vector<std::uint8_t> bytes_;
};

}  // namespace pa::dns::testing
