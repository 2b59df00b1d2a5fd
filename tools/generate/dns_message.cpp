#include "dns_message.hpp"

#include <span>
#include <string_view>
#include <unordered_map>

namespace pa::generate {
namespace {

class DnsWriter {
 public:
  DnsWriter(std::vector<std::uint8_t>& out) : out_{out}, start_{out.size()} {}

  void u8(std::uint8_t value) { out_.push_back(value); }
  void u16(std::uint16_t value) {
    out_.push_back(static_cast<std::uint8_t>(value >> 8));
    out_.push_back(static_cast<std::uint8_t>(value));
  }
  void u32(std::uint32_t value) {
    u16(static_cast<std::uint16_t>(value >> 16));
    u16(static_cast<std::uint16_t>(value));
  }
  void bytes(std::span<const std::uint8_t> data) {
    out_.insert(out_.end(), data.begin(), data.end());
  }

  // RFC 1035 4.1.4: a name ends either in the root label or in a pointer to an earlier
  // occurrence of its remaining suffix. Pointers hold 14 bits, so only suffixes written in
  // the first 16 KiB can be targets.
  void name(std::string_view text, bool compress = true) {
    while (!text.empty()) {
      if (compress) {
        const auto found = suffixes_.find(std::string{text});
        if (found != suffixes_.end()) {
          u16(static_cast<std::uint16_t>(0xc000 | found->second));
          return;
        }
        const std::size_t offset = out_.size() - start_;
        if (offset < 0x4000) suffixes_.emplace(std::string{text}, offset);
      }
      const std::size_t dot = text.find('.');
      const std::string_view label = text.substr(0, dot);
      u8(static_cast<std::uint8_t>(label.size()));
      out_.insert(out_.end(), label.begin(), label.end());
      text = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
    }
    u8(0);
  }

  // Reserves the RDLENGTH field and returns where it is, for patch_length once RDATA is out.
  std::size_t begin_rdata() {
    u16(0);
    return out_.size();
  }
  void end_rdata(std::size_t rdata_start) {
    const std::size_t length = out_.size() - rdata_start;
    out_[rdata_start - 2] = static_cast<std::uint8_t>(length >> 8);
    out_[rdata_start - 1] = static_cast<std::uint8_t>(length);
  }

 private:
  std::vector<std::uint8_t>& out_;
  std::size_t start_;
  std::unordered_map<std::string, std::size_t> suffixes_;
};

std::size_t label_count(std::string_view name) {
  if (name.empty()) return 0;
  std::size_t count = 1;
  for (const char c : name) count += c == '.' ? 1 : 0;
  return count;
}

void write_record(DnsWriter& w, const DnsRecord& record) {
  w.name(record.owner);
  w.u16(static_cast<std::uint16_t>(record.type));
  w.u16(1);  // class IN
  w.u32(record.ttl);
  const std::size_t rdata = w.begin_rdata();
  switch (record.type) {
    case DnsType::a:
    case DnsType::aaaa:
      w.bytes(record.address.bytes());
      break;
    case DnsType::cname:
    case DnsType::ptr:
    case DnsType::ns:
      w.name(record.target);
      break;
    case DnsType::mx:
      w.u16(record.preference);
      w.name(record.target);
      break;
    case DnsType::soa:
      w.name(record.target);
      w.name(record.mailbox);
      w.u32(2026112601);  // serial
      w.u32(7200);        // refresh
      w.u32(3600);        // retry
      w.u32(1209600);     // expire
      w.u32(300);         // minimum: RFC 2308 negative-caching TTL
      break;
    case DnsType::rrsig: {
      // RFC 4034 3.1: type covered, algorithm 8 (RSA/SHA-256), labels, original TTL,
      // expiration, inception, key tag, signer, then a 2048-bit signature.
      w.u16(static_cast<std::uint16_t>(record.covered));
      w.u8(8);
      w.u8(static_cast<std::uint8_t>(label_count(record.owner)));
      w.u32(record.ttl);
      w.u32(1796601600);
      w.u32(1795392000);
      w.u16(static_cast<std::uint16_t>(record.signature_seed));
      w.name(record.target, false);
      std::uint32_t x = record.signature_seed | 1;
      for (int i = 0; i < 256; ++i) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        w.u8(static_cast<std::uint8_t>(x));
      }
      break;
    }
    case DnsType::opt:
      break;
  }
  w.end_rdata(rdata);
}

}  // namespace

void write_dns_message(const DnsMessage& message, std::vector<std::uint8_t>& out) {
  DnsWriter w{out};
  w.u16(message.id);
  // RFC 1035 4.1.1: QR(1) OPCODE(4) AA TC RD | RA Z(3) RCODE(4)
  const auto flags = static_cast<std::uint16_t>(
      (message.response ? 0x8000 : 0) | ((message.opcode & 0xf) << 11) |
      (message.recursion_desired ? 0x0100 : 0) | (message.recursion_available ? 0x0080 : 0) |
      static_cast<std::uint8_t>(message.rcode));
  w.u16(flags);
  w.u16(static_cast<std::uint16_t>(message.questions.size()));
  w.u16(static_cast<std::uint16_t>(message.answers.size()));
  w.u16(static_cast<std::uint16_t>(message.authority.size()));
  w.u16(static_cast<std::uint16_t>(message.additional.size() + (message.edns_udp_size ? 1 : 0)));
  for (const auto& question : message.questions) {
    w.name(question.name);
    w.u16(static_cast<std::uint16_t>(question.type));
    w.u16(1);  // class IN
  }
  for (const auto& record : message.answers) write_record(w, record);
  for (const auto& record : message.authority) write_record(w, record);
  for (const auto& record : message.additional) write_record(w, record);
  if (message.edns_udp_size != 0) {
    // RFC 6891 6.1.2: root owner, CLASS = UDP payload size, TTL = ext-rcode/version/DO.
    w.u8(0);
    w.u16(static_cast<std::uint16_t>(DnsType::opt));
    w.u16(message.edns_udp_size);
    w.u32(message.dnssec_ok ? 0x8000 : 0);
    w.u16(0);
  }
}

}  // namespace pa::generate
