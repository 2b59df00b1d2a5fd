// DNS name decoding (compression pointers, label types, the RFC 1035 limits) at the offset the
// first byte gives, in a message that is the whole input; the report form of what decodes must
// be printable and must parse back to the same name. The input is also read as a name typed by
// a person (parse_name), whose report form must parse back too.

#include <cstddef>
#include <cstdint>
#include <string>

#include "dns/dns_name.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace pa;

void check_report_form(const dns::DnsName& name) {
  PA_FUZZ_CHECK(name.key().size() <= dns::DnsName::max_wire_length);
  const std::string report = dns::to_report_string(name);
  PA_FUZZ_CHECK(fuzz::printable_ascii(report));
  PA_FUZZ_CHECK(report == dns::to_report_string(name.key()));
  if (name.is_root()) {
    PA_FUZZ_CHECK(report == "<root>");
    return;
  }
  const auto parsed = dns::parse_name(report);
  PA_FUZZ_CHECK(parsed.has_value());
  PA_FUZZ_CHECK(*parsed == name);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const base::Bytes message(data, size);
  const std::size_t offset = size > 0 ? data[0] : 0;
  dns::DnsName name;
  const auto end = dns::decode_name(message, offset, name);
  if (end) {
    PA_FUZZ_CHECK(*end > offset && *end <= size);
    check_report_form(name);
  }

  const std::string text(data, data + size);
  if (const auto typed = dns::parse_name(text)) check_report_form(*typed);
  return 0;
}
