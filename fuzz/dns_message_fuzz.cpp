// One DNS message through the header, question and record cursors, then through the Analyzer
// as UDP or TCP, whole or cut by the capture (bits 0 and 1 of the first byte, which is the
// message ID's and changes nothing else).

#include <cstddef>
#include <cstdint>
#include <string>

#include "analysis/analyzer.hpp"
#include "dns/dns_message.hpp"
#include "dns/dns_name.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace pa;

void check_name(const dns::DnsName& name) {
  PA_FUZZ_CHECK(!name.key().empty() && name.key().size() <= dns::DnsName::max_wire_length);
  PA_FUZZ_CHECK(name.key().back() == '\0');
  PA_FUZZ_CHECK(fuzz::printable_ascii(dns::to_report_string(name)));
}

void walk(base::Bytes bytes) {
  const auto message = dns::DnsMessage::decode(bytes);
  if (!message) return;
  dns::QuestionCursor questions(*message);
  dns::DnsQuestion question;
  std::size_t question_count = 0;
  while (questions.next(question)) {
    check_name(question.name);
    ++question_count;
  }
  PA_FUZZ_CHECK(question_count <= message->header().question_count);
  if (questions.error()) return;
  PA_FUZZ_CHECK(questions.end_offset() <= bytes.size());
  const std::size_t records = std::size_t{message->header().answer_count} +
                              message->header().authority_count +
                              message->header().additional_count;
  dns::RecordCursor cursor(*message, questions.end_offset(), records);
  dns::DnsRecord record;
  while (cursor.next(record)) {
    check_name(record.owner);
    PA_FUZZ_CHECK(fuzz::within(record.rdata, bytes));
    if (record.is(dns::RecordType::cname)) check_name(record.target);
    if (const auto address = record.address()) {
      PA_FUZZ_CHECK(address->bytes().size() == (record.is(dns::RecordType::a) ? 4u : 16u));
    }
    PA_FUZZ_CHECK(cursor.end_offset() <= bytes.size());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const base::Bytes bytes(data, size);
  walk(bytes);

  // The watched host is a name the seeds answer for, so that CNAME chains get followed.
  static const analysis::AnalysisOptions options = [] {
    analysis::AnalysisOptions o;
    o.watch_host = "www.google.com";
    return o;
  }();
  analysis::Analyzer analyzer(options);
  const auto transport =
      size > 0 && (data[0] & 1) != 0 ? decode::DnsTransport::tcp : decode::DnsTransport::udp;
  const bool cut = size > 0 && (data[0] & 2) != 0;
  analyzer.on_dns_message(decode::PacketContext{1, 0}, bytes, transport, cut);
  // The same message again: retransmissions count again, learned addresses stay once.
  analyzer.on_dns_message(decode::PacketContext{2, 0}, bytes, transport, cut);
  const analysis::AnalysisResult result = analyzer.result();
  PA_FUZZ_CHECK(result.dns_messages == 2);
  std::uint64_t total = 0;
  for (const auto& row : result.query_counts) {
    PA_FUZZ_CHECK(fuzz::printable_ascii(row.name));
    PA_FUZZ_CHECK(row.count % 2 == 0);
    total += row.count;
  }
  PA_FUZZ_CHECK(total == result.total_queries);
  for (const auto& learned : result.watched_addresses) PA_FUZZ_CHECK(learned.packet_number == 1);
  return 0;
}
