#include "dns/dns_message.hpp"

namespace pa::dns {

base::Result<DnsMessage> DnsMessage::decode(base::Bytes message) noexcept {
  base::ByteReader r{message};
  DnsHeader header;
  header.id = r.u16();
  const std::uint16_t flags = r.u16();
  header.question_count = r.u16();
  header.answer_count = r.u16();
  header.authority_count = r.u16();
  header.additional_count = r.u16();
  if (r.failed()) return base::Drop::dns_truncated;
  // RFC 1035 4.1.1: QR is the top bit, OPCODE the four bits below it.
  header.is_response = (flags & 0x8000) != 0;
  header.opcode = static_cast<std::uint8_t>((flags >> 11) & 0x0F);
  DnsMessage decoded;
  decoded.bytes_ = message;
  decoded.header_ = header;
  return decoded;
}

QuestionCursor::QuestionCursor(const DnsMessage& message) noexcept
    : bytes_(message.bytes()), left_(message.header().question_count) {}

bool QuestionCursor::next(DnsQuestion& question) noexcept {
  if (left_ == 0 || error_) return false;
  const auto name_end = decode_name(bytes_, offset_, question.name);
  if (!name_end) {
    error_ = name_end.drop();
    return false;
  }
  base::ByteReader r{bytes_};
  r.seek(*name_end);
  question.type = r.u16();
  question.klass = r.u16();
  if (r.failed()) {
    error_ = base::Drop::dns_truncated;
    return false;
  }
  offset_ = r.position();
  --left_;
  return true;
}

std::optional<base::IpAddress> DnsRecord::address() const noexcept {
  if (is(RecordType::a) && rdata.size() == 4) {
    return base::IpAddress::v4(std::span<const std::uint8_t, 4>(rdata.data(), 4));
  }
  if (is(RecordType::aaaa) && rdata.size() == 16) {
    return base::IpAddress::v6(std::span<const std::uint8_t, 16>(rdata.data(), 16));
  }
  return std::nullopt;
}

RecordCursor::RecordCursor(const DnsMessage& message, std::size_t offset,
                           std::size_t count) noexcept
    : bytes_(message.bytes()), offset_(offset), left_(count) {}

bool RecordCursor::next(DnsRecord& record) noexcept {
  if (left_ == 0 || error_) return false;
  const auto name_end = decode_name(bytes_, offset_, record.owner);
  if (!name_end) {
    error_ = name_end.drop();
    return false;
  }
  // RFC 1035 4.1.3: TYPE, CLASS, TTL, RDLENGTH, then RDLENGTH bytes of RDATA.
  base::ByteReader r{bytes_};
  r.seek(*name_end);
  record.type = r.u16();
  record.klass = r.u16();
  record.ttl = r.u32();
  const std::uint16_t rdata_length = r.u16();
  const std::size_t rdata_offset = r.position();
  record.rdata = r.bytes(rdata_length);
  if (r.failed()) {
    error_ = base::Drop::dns_truncated;
    return false;
  }
  record.target.clear();
  if ((record.is(RecordType::a) && rdata_length != 4) ||
      (record.is(RecordType::aaaa) && rdata_length != 16)) {
    error_ = base::Drop::dns_malformed;
    return false;
  }
  if (record.is(RecordType::cname)) {
    // The target may point back into the message, so it is decoded against the whole
    // message; its own bytes must be exactly the RDATA.
    const auto target_end = decode_name(bytes_, rdata_offset, record.target);
    if (!target_end || *target_end != r.position()) {
      error_ = base::Drop::dns_malformed;
      return false;
    }
  }
  offset_ = r.position();
  --left_;
  return true;
}

}  // namespace pa::dns
