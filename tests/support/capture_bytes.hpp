#pragma once

// Builds capture files byte by byte, in either byte order, for tests that need what
// CaptureWriter never writes: big-endian files, odd resolutions, several sections, broken
// lengths. Each function appends one structure and says which one in its name.

#include <cstdint>
#include <initializer_list>
#include <span>
#include <vector>

namespace pa::test {

class CaptureBytes {
 public:
  explicit CaptureBytes(bool big_endian = false) : big_endian_(big_endian) {}

  void set_big_endian(bool big_endian) noexcept { big_endian_ = big_endian; }

  CaptureBytes& u8(std::uint8_t v) {
    bytes_.push_back(v);
    return *this;
  }
  CaptureBytes& u16(std::uint16_t v) {
    return big_endian_ ? u8(static_cast<std::uint8_t>(v >> 8)).u8(static_cast<std::uint8_t>(v))
                       : u8(static_cast<std::uint8_t>(v)).u8(static_cast<std::uint8_t>(v >> 8));
  }
  CaptureBytes& u32(std::uint32_t v) {
    return big_endian_
               ? u16(static_cast<std::uint16_t>(v >> 16)).u16(static_cast<std::uint16_t>(v))
               : u16(static_cast<std::uint16_t>(v)).u16(static_cast<std::uint16_t>(v >> 16));
  }
  CaptureBytes& u64(std::uint64_t v) {
    return big_endian_
               ? u32(static_cast<std::uint32_t>(v >> 32)).u32(static_cast<std::uint32_t>(v))
               : u32(static_cast<std::uint32_t>(v)).u32(static_cast<std::uint32_t>(v >> 32));
  }
  CaptureBytes& raw(std::span<const std::uint8_t> data) {
    bytes_.insert(bytes_.end(), data.begin(), data.end());
    return *this;
  }
  CaptureBytes& raw(std::initializer_list<std::uint8_t> data) {
    bytes_.insert(bytes_.end(), data.begin(), data.end());
    return *this;
  }
  CaptureBytes& zeros(std::size_t n) {
    bytes_.insert(bytes_.end(), n, 0);
    return *this;
  }
  CaptureBytes& pad4() { return zeros((4 - bytes_.size() % 4) % 4); }

  // Classic pcap ---------------------------------------------------------------------------

  // The 24-byte file header; magic a1b2c3d4 (us), a1b23c4d (ns) or a1b2cd34 (modified).
  CaptureBytes& pcap_header(std::uint32_t link_type, std::uint32_t magic = 0xA1B2C3D4,
                            std::uint16_t major = 2, std::uint16_t minor = 4,
                            std::uint32_t snap_length = 65535) {
    return u32(magic).u16(major).u16(minor).u32(0).u32(0).u32(snap_length).u32(link_type);
  }
  // A 16-byte record header and the data.
  CaptureBytes& pcap_record(std::uint32_t seconds, std::uint32_t fraction,
                            std::span<const std::uint8_t> data, std::uint32_t original_length) {
    u32(seconds).u32(fraction).u32(static_cast<std::uint32_t>(data.size())).u32(original_length);
    return raw(data);
  }

  // pcapng -----------------------------------------------------------------------------------

  // A section header block with no options; switches the builder to the section's order.
  CaptureBytes& section_header(bool big_endian, std::uint16_t major = 1, std::uint16_t minor = 0) {
    big_endian_ = big_endian;
    return u32(0x0A0D0D0A).u32(28).u32(0x1A2B3C4D).u16(major).u16(minor).u64(~0ull).u32(28);
  }

  // An interface description block; `options` are whole encoded options (see option()).
  CaptureBytes& interface_description(std::uint16_t link_type, std::uint32_t snap_length = 0,
                                      std::span<const std::uint8_t> options = {}) {
    const auto length = static_cast<std::uint32_t>(20 + options.size() + (options.empty() ? 0 : 4));
    u32(1).u32(length).u16(link_type).u16(0).u32(snap_length).raw(options);
    if (!options.empty()) u32(0);  // opt_endofopt
    return u32(length);
  }

  // One option in this builder's byte order, padded to 4 bytes.
  [[nodiscard]] std::vector<std::uint8_t> option(std::uint16_t code,
                                                 std::span<const std::uint8_t> value) const {
    CaptureBytes b(big_endian_);
    b.u16(code).u16(static_cast<std::uint16_t>(value.size())).raw(value).pad4();
    return b.bytes();
  }
  [[nodiscard]] std::vector<std::uint8_t> option_u64(std::uint16_t code,
                                                     std::uint64_t value) const {
    CaptureBytes v(big_endian_);
    v.u64(value);
    return option(code, v.bytes());
  }

  CaptureBytes& enhanced_packet(std::uint32_t interface_id, std::uint64_t timestamp,
                                std::span<const std::uint8_t> data, std::uint32_t original_length) {
    const auto padded = static_cast<std::uint32_t>((data.size() + 3) / 4 * 4);
    const std::uint32_t length = 32 + padded;
    u32(6).u32(length).u32(interface_id);
    u32(static_cast<std::uint32_t>(timestamp >> 32)).u32(static_cast<std::uint32_t>(timestamp));
    u32(static_cast<std::uint32_t>(data.size())).u32(original_length).raw(data);
    zeros(padded - data.size());
    return u32(length);
  }

  CaptureBytes& simple_packet(std::span<const std::uint8_t> data, std::uint32_t original_length) {
    const auto padded = static_cast<std::uint32_t>((data.size() + 3) / 4 * 4);
    const std::uint32_t length = 16 + padded;
    u32(3).u32(length).u32(original_length).raw(data);
    zeros(padded - data.size());
    return u32(length);
  }

  // The obsolete packet block (type 2): 16-bit interface id and drop count.
  CaptureBytes& obsolete_packet(std::uint16_t interface_id, std::uint64_t timestamp,
                                std::span<const std::uint8_t> data, std::uint32_t original_length) {
    const auto padded = static_cast<std::uint32_t>((data.size() + 3) / 4 * 4);
    const std::uint32_t length = 32 + padded;
    u32(2).u32(length).u16(interface_id).u16(0);
    u32(static_cast<std::uint32_t>(timestamp >> 32)).u32(static_cast<std::uint32_t>(timestamp));
    u32(static_cast<std::uint32_t>(data.size())).u32(original_length).raw(data);
    zeros(padded - data.size());
    return u32(length);
  }

  // Any block with `body` as its contents (padded); for unknown types and broken lengths.
  CaptureBytes& block(std::uint32_t type, std::span<const std::uint8_t> body) {
    const auto padded = static_cast<std::uint32_t>((body.size() + 3) / 4 * 4);
    const std::uint32_t length = 12 + padded;
    u32(type).u32(length).raw(body);
    zeros(padded - body.size());
    return u32(length);
  }

  [[nodiscard]] const std::vector<std::uint8_t>& bytes() const noexcept { return bytes_; }
  [[nodiscard]] std::size_t size() const noexcept { return bytes_.size(); }
  // For tests that break a field after the fact.
  std::vector<std::uint8_t>& mutable_bytes() noexcept { return bytes_; }

 private:
  bool big_endian_;
  std::vector<std::uint8_t> bytes_;
};

}  // namespace pa::test
