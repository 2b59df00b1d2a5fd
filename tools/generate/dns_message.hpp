#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/ip_address.hpp"

namespace pa::generate {

// RFC 1035 3.2.2 / RFC 3596 / RFC 4034 / RFC 6891 type codes the office model uses.
enum class DnsType : std::uint16_t {
  a = 1,
  ns = 2,
  cname = 5,
  soa = 6,
  ptr = 12,
  mx = 15,
  aaaa = 28,
  opt = 41,
  rrsig = 46,
};

enum class DnsRcode : std::uint8_t { no_error = 0, server_failure = 2, name_error = 3 };

struct DnsQuestion {
  std::string name;  // without the trailing dot
  DnsType type = DnsType::a;
};

// One resource record, as the model means it; write_dns_message turns it into wire format.
struct DnsRecord {
  std::string owner;
  DnsType type = DnsType::a;
  std::uint32_t ttl = 300;
  base::IpAddress address;           // A, AAAA
  std::string target;                // CNAME, PTR, NS, MX exchange, SOA mname, RRSIG signer
  std::string mailbox;               // SOA rname
  std::uint16_t preference = 0;      // MX
  DnsType covered = DnsType::a;      // RRSIG
  std::uint32_t signature_seed = 0;  // RRSIG: the 256 signature bytes are derived from it
};

struct DnsMessage {
  std::uint16_t id = 0;
  bool response = false;
  std::uint8_t opcode = 0;
  bool recursion_desired = true;
  bool recursion_available = false;
  DnsRcode rcode = DnsRcode::no_error;
  // RFC 6891: an OPT pseudo-record in the additional section advertising this UDP size.
  std::uint16_t edns_udp_size = 0;  // 0 = no OPT record
  bool dnssec_ok = false;
  std::vector<DnsQuestion> questions;
  std::vector<DnsRecord> answers;
  std::vector<DnsRecord> authority;
  std::vector<DnsRecord> additional;
};

// Appends the wire form of `message` to `out`. Names are compressed (RFC 1035 4.1.4) except
// in RRSIG, whose signer name RFC 4034 3.1.7 forbids compressing.
void write_dns_message(const DnsMessage& message, std::vector<std::uint8_t>& out);

}  // namespace pa::generate
