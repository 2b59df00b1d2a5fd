#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "base/byte_reader.hpp"
#include "base/ip_address.hpp"
#include "base/result.hpp"
#include "dns/dns_name.hpp"

namespace pa::dns {

// RFC 1035 3.2.2 and RFC 3596 2.1.
enum class RecordType : std::uint16_t { a = 1, cname = 5, aaaa = 28 };
// RFC 1035 3.2.4.
enum class RecordClass : std::uint16_t { in = 1 };

// RFC 1035 4.1.1.
struct DnsHeader {
  std::uint16_t id = 0;
  bool is_response = false;  // QR
  std::uint8_t opcode = 0;   // 0 = QUERY
  std::uint16_t question_count = 0;
  std::uint16_t answer_count = 0;
  std::uint16_t authority_count = 0;
  std::uint16_t additional_count = 0;
};

inline constexpr std::size_t dns_header_length = 12;

// A DNS message's bytes and decoded header. It borrows the bytes: it, and every cursor and
// record span made from it, is valid only as long as they are.
class DnsMessage {
 public:
  DnsMessage() noexcept = default;

  // Fails with Drop::dns_truncated when fewer than 12 bytes are given.
  static base::Result<DnsMessage> decode(base::Bytes message) noexcept;

  [[nodiscard]] const DnsHeader& header() const noexcept { return header_; }
  [[nodiscard]] base::Bytes bytes() const noexcept { return bytes_; }

 private:
  base::Bytes bytes_{};
  DnsHeader header_{};
};

struct DnsQuestion {
  DnsName name;
  std::uint16_t type = 0;
  std::uint16_t klass = 0;  // QCLASS ("class" is a keyword)
};

// Walks the question section. next() fills the next question and returns true; at the end of
// the section, or at the first question that does not decode, it returns false, and error()
// tells which. After a clean end, end_offset() is where the answer section starts.
class QuestionCursor {
 public:
  explicit QuestionCursor(const DnsMessage& message) noexcept;

  bool next(DnsQuestion& question) noexcept;
  [[nodiscard]] std::optional<base::Drop> error() const noexcept { return error_; }
  [[nodiscard]] std::size_t end_offset() const noexcept { return offset_; }

 private:
  base::Bytes bytes_;
  std::size_t offset_ = dns_header_length;
  std::uint16_t left_ = 0;
  std::optional<base::Drop> error_;
};

// One resource record. `rdata` is a span into the message. For class IN, an A record's rdata
// is checked to be 4 bytes and an AAAA record's 16; a CNAME's target is decoded into `target`
// (compression pointers resolved) and must fill its rdata exactly.
struct DnsRecord {
  DnsName owner;
  std::uint16_t type = 0;
  std::uint16_t klass = 0;
  std::uint32_t ttl = 0;
  base::Bytes rdata{};
  DnsName target;  // CNAME (class IN) only

  [[nodiscard]] bool is(RecordType t) const noexcept {
    return type == static_cast<std::uint16_t>(t) &&
           klass == static_cast<std::uint16_t>(RecordClass::in);
  }
  // The address of a class-IN A or AAAA record; nullopt for any other record.
  [[nodiscard]] std::optional<base::IpAddress> address() const noexcept;
};

// Walks `count` resource records from `offset` (one section, or several in a row). Stops at
// the first record that does not decode: next() returns false and error() says why.
class RecordCursor {
 public:
  RecordCursor(const DnsMessage& message, std::size_t offset, std::size_t count) noexcept;

  bool next(DnsRecord& record) noexcept;
  [[nodiscard]] std::optional<base::Drop> error() const noexcept { return error_; }
  [[nodiscard]] std::size_t end_offset() const noexcept { return offset_; }

 private:
  base::Bytes bytes_;
  std::size_t offset_;
  std::size_t left_;
  std::optional<base::Drop> error_;
};

}  // namespace pa::dns
