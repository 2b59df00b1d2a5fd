#include "dns/dns_name.hpp"

namespace pa::dns {

namespace {

constexpr char lower(std::uint8_t byte) noexcept {
  return static_cast<char>(byte >= 'A' && byte <= 'Z' ? byte + ('a' - 'A') : byte);
}

// RFC 1035 4.1.4: the top two bits of a length byte say what it is.
constexpr std::uint8_t label_type_mask = 0xC0;
constexpr std::uint8_t pointer_type = 0xC0;

}  // namespace

bool DnsName::append_label(std::span<const std::uint8_t> label) noexcept {
  if (label.empty() || label.size() > max_label_length) return false;
  // The length byte, the label, and the root's zero byte that still follows.
  if (label.size() + 1 > max_wire_length - length_) return false;
  char* out = bytes_.data() + length_ - 1;  // over the root's zero byte
  *out++ = static_cast<char>(label.size());
  for (const std::uint8_t byte : label) *out++ = lower(byte);
  *out = 0;
  length_ += label.size() + 1;
  return true;
}

base::Result<std::size_t> decode_name(base::Bytes message, std::size_t offset,
                                      DnsName& name) noexcept {
  name.clear();
  std::size_t position = offset;
  // Where the label sequence being read starts: a pointer must point strictly before it
  // (RFC 1035 4.1.4 allows only prior occurrences), so every pointer followed moves this
  // mark backward, which alone ends any loop.
  std::size_t sequence_start = offset;
  std::size_t end = 0;  // set at the first pointer, or at the terminating zero
  bool end_known = false;
  for (;;) {
    if (position >= message.size()) return base::Drop::dns_truncated;
    const std::uint8_t length = message[position];
    if ((length & label_type_mask) == pointer_type) {
      if (message.size() - position < 2) return base::Drop::dns_truncated;
      const std::size_t target =
          (static_cast<std::size_t>(length & ~label_type_mask) << 8) | message[position + 1];
      if (!end_known) {
        end = position + 2;
        end_known = true;
      }
      if (target >= sequence_start) return base::Drop::dns_malformed;
      sequence_start = target;
      position = target;
      continue;
    }
    // RFC 6891 retired 0x40 (extended labels) and 0x80 is reserved: neither is a name.
    if ((length & label_type_mask) != 0) return base::Drop::dns_malformed;
    if (length == 0) return end_known ? end : position + 1;
    if (length > message.size() - position - 1) return base::Drop::dns_truncated;
    if (!name.append_label(message.subspan(position + 1, length))) {
      return base::Drop::dns_malformed;  // over 255 bytes
    }
    position += 1 + length;
  }
}

std::optional<DnsName> parse_name(std::string_view text) {
  if (text.empty()) return std::nullopt;
  DnsName name;
  if (text == ".") return name;
  std::array<std::uint8_t, DnsName::max_label_length + 1> label{};
  std::size_t label_length = 0;
  auto finish_label = [&]() { return name.append_label({label.data(), label_length}); };
  for (std::size_t i = 0; i < text.size(); ++i) {
    std::uint8_t byte = static_cast<std::uint8_t>(text[i]);
    if (byte == '.') {
      if (!finish_label()) return std::nullopt;
      label_length = 0;
      continue;
    }
    if (byte == '\\') {
      if (i + 1 >= text.size()) return std::nullopt;
      const char next = text[i + 1];
      if (next >= '0' && next <= '9') {
        if (text.size() - i < 4) return std::nullopt;  // \DDD is always three digits
        unsigned value = 0;
        for (std::size_t k = 1; k <= 3; ++k) {
          const char digit = text[i + k];
          if (digit < '0' || digit > '9') return std::nullopt;
          value = value * 10 + static_cast<unsigned>(digit - '0');
        }
        if (value > 255) return std::nullopt;
        byte = static_cast<std::uint8_t>(value);
        i += 3;
      } else {
        byte = static_cast<std::uint8_t>(next);
        i += 1;
      }
    }
    if (label_length >= label.size()) return std::nullopt;
    label[label_length++] = byte;
  }
  // A trailing dot leaves an empty last label: the name was already complete.
  if (label_length > 0 && !finish_label()) return std::nullopt;
  return name;
}

}  // namespace pa::dns
