#include "expected_answers.hpp"

#include <algorithm>
#include <utility>

namespace pa::generate {

std::string lower_case(std::string name) {
  for (char& c : name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return name;
}

ExpectedAnswers::ExpectedAnswers(std::string watched_host, std::uint16_t watched_port)
    : watched_host_{lower_case(std::move(watched_host))}, watched_port_{watched_port} {}

void ExpectedAnswers::observe(const PacketSpec& packet) {
  ++packets_;
  for (const auto& message : packet.dns_completed) observe_dns(*message, packet.timestamp_ns);
  // SPEC result 3: SYN set, ACK and RST clear; other flags do not matter.
  const bool opens = packet.kind == PacketKind::tcp && (packet.tcp_flags & tcp_flag::syn) &&
                     !(packet.tcp_flags & (tcp_flag::ack | tcp_flag::rst));
  if (opens && packet.destination_port == watched_port_) {
    if (addresses_.contains(packet.destination)) {
      ports_.insert(packet.source_port);
    } else {
      ++unwatched_syns_[packet.destination];
    }
  }
}

void ExpectedAnswers::observe_dns(const DnsMessage& message, std::int64_t timestamp_ns) {
  if (!message.response) {
    // SPEC result 1: QR=0, OPCODE=0, every question of type A counts for its name.
    if (message.opcode != 0) return;
    for (const auto& question : message.questions) {
      if (question.type == DnsType::a) ++counts_[lower_case(question.name)];
    }
    return;
  }
  // SPEC result 2: the names reached from the watched name through the answer section's
  // CNAMEs, whatever their order; then their A and AAAA records.
  std::set<std::string> reached{watched_host_};
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& record : message.answers) {
      if (record.type == DnsType::cname && reached.contains(lower_case(record.owner))) {
        grew |= reached.insert(lower_case(record.target)).second;
      }
    }
  }
  for (const auto& record : message.answers) {
    if ((record.type == DnsType::a || record.type == DnsType::aaaa) &&
        reached.contains(lower_case(record.owner))) {
      addresses_.emplace(record.address, Learned{timestamp_ns, packets_ - 1});
    }
  }
}

}  // namespace pa::generate

namespace pa::generate {

std::uint64_t ExpectedAnswers::syns_before_learning() const {
  std::uint64_t count = 0;
  for (const auto& [address, syns] : unwatched_syns_) {
    if (addresses_.contains(address)) count += syns;
  }
  return count;
}

}  // namespace pa::generate
