#include "analysis/analyzer.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace pa::analysis {

namespace {

using base::Drop;

// A drop that skips the whole packet before any analysis: the link, IP or transport header
// did not decode. Reasons about datagrams given up on, streams and DNS messages are not.
constexpr bool skips_packet(Drop reason) noexcept {
  switch (reason) {
    case Drop::fragment_expired:
    case Drop::fragment_evicted:
    case Drop::tcp_stream_gap:
    case Drop::tcp_stream_evicted:
    case Drop::dns_truncated:
    case Drop::dns_malformed:
      return false;
    default:
      return true;
  }
}

std::uint64_t hash_name(std::string_view key) noexcept {
  // FNV-1a: names are short and only compared within one message.
  std::uint64_t h = 1469598103934665603ULL;
  for (const char c : key) {
    h ^= static_cast<std::uint8_t>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace

Analyzer::Analyzer(AnalysisOptions options) : options_(std::move(options)) {
  const auto name = dns::parse_name(options_.watch_host);
  if (!name) {
    throw std::invalid_argument("not a valid domain name: '" + options_.watch_host + "'");
  }
  watched_name_ = *name;
  watched_report_name_ = dns::to_report_string(watched_name_);
  keyed_by_type_ = options_.shows_type();
  for (const base::IpAddress& address : options_.preset_addresses) add_watched(address, 0, 0);
}

void Analyzer::on_tcp_segment(const decode::PacketContext& packet,
                              const decode::TcpSegmentHeader& segment) noexcept {
  if (!is_connection_attempt(segment, options_.watch_port)) [[likely]] {
    return;
  }
  timeline_.add(packet.timestamp_ns, TimelineSeries::connection_attempts);
  const auto found = watched_index_.find(segment.destination);
  if (found == watched_index_.end()) return;
  // SPEC: an address counts only for packets after the one whose response added it.
  if (watched_addresses_[found->second].packet_number >= packet.packet_number) return;
  source_ports_.set(segment.source_port);
}

void Analyzer::on_dns_message(const decode::PacketContext& packet,
                              std::span<const std::uint8_t> message,
                              decode::DnsTransport /*transport*/, bool cut_by_capture) noexcept {
  ++counters_.dns_messages;
  // A message that runs out of bytes was cut by the capture if the capture says so;
  // otherwise its counts promise more than it holds, which is malformed.
  const auto reject = [&](Drop reason) {
    ++counters_.malformed_dns_messages;
    counters_.drops.add(reason == Drop::dns_truncated && cut_by_capture ? Drop::dns_truncated
                                                                        : Drop::dns_malformed);
  };
  const auto decoded = dns::DnsMessage::decode(message);
  if (!decoded) {
    reject(decoded.drop());
    return;
  }
  const dns::DnsHeader& header = decoded->header();

  // Every message's question section is walked: where it ends is where answers start, and
  // one that does not decode makes the message malformed whatever its QR and OPCODE.
  dns::QuestionCursor questions{*decoded};
  dns::DnsQuestion question;
  std::uint32_t counted_questions = 0;
  while (questions.next(question)) {
    if (options_.counts_type(question.type)) ++counted_questions;
  }
  if (questions.error()) {
    reject(*questions.error());
    return;
  }

  if (!header.is_response) {
    // SPEC result 1: standard queries only (OPCODE 0), each A question counts, any QCLASS
    // (--qtype: each question of a counted type).
    if (header.opcode != 0 || counted_questions == 0) return;
    if (header.question_count == 1) {
      count_query(question.name, question.type, packet.timestamp_ns);
      return;
    }
    dns::QuestionCursor again{*decoded};
    while (again.next(question)) {
      if (options_.counts_type(question.type)) {
        count_query(question.name, question.type, packet.timestamp_ns);
      }
    }
    return;
  }
  learn_addresses(packet, *decoded, questions.end_offset());
}

void Analyzer::count_query(const dns::DnsName& name, std::uint16_t type,
                           std::int64_t timestamp_ns) {
  ++total_queries_;
  timeline_.add(timestamp_ns, TimelineSeries::queries);
  std::string_view key = name.key();
  if (keyed_by_type_) {
    key_scratch_.assign(key);
    key_scratch_ += static_cast<char>(type >> 8);
    key_scratch_ += static_cast<char>(type & 0xFF);
    key = key_scratch_;
  }
  const auto found = query_counts_.find(key);
  if (found != query_counts_.end()) {
    ++found->second;
    return;
  }
  query_counts_.emplace(std::string(key), 1);
}

void Analyzer::learn_addresses(const decode::PacketContext& packet, const dns::DnsMessage& message,
                               std::size_t answers_offset) {
  names_.clear();
  cname_edges_.clear();
  address_records_.clear();
  // SPEC: answer records are read in order until the first malformed one. Authority and
  // additional records are never looked at.
  dns::RecordCursor answers{message, answers_offset, message.header().answer_count};
  dns::DnsRecord record;
  while (answers.next(record)) {
    if (const auto address = record.address()) {
      address_records_.push_back({store_name(record.owner), *address});
    } else if (record.is(dns::RecordType::cname)) {
      cname_edges_.push_back({store_name(record.owner), store_name(record.target), false});
    }
  }
  if (answers.error()) ++counters_.malformed_answer_sections;
  if (!options_.learn_from_dns || address_records_.empty()) return;

  // The names reached from the watched name through CNAME records of this answer section,
  // in any order and over chains of any length. Each CNAME record is followed at most once,
  // which bounds the walk even when the records form a loop.
  const auto by_hash = [](const NameRef& a, const NameRef& b) { return a.hash < b.hash; };
  const auto edge_by_owner_hash = [](const CnameEdge& a, const CnameEdge& b) {
    return a.owner.hash < b.owner.hash;
  };
  std::sort(cname_edges_.begin(), cname_edges_.end(), edge_by_owner_hash);
  reachable_.clear();
  reachable_.push_back(store_name(watched_name_));
  for (std::size_t i = 0; i < reachable_.size(); ++i) {
    const NameRef from = reachable_[i];
    const CnameEdge probe{from, {}, false};
    auto [first, last] =
        std::equal_range(cname_edges_.begin(), cname_edges_.end(), probe, edge_by_owner_hash);
    for (; first != last; ++first) {
      if (first->followed || !same_name(first->owner, from)) continue;
      first->followed = true;
      reachable_.push_back(first->target);
    }
  }
  std::sort(reachable_.begin(), reachable_.end(), by_hash);

  for (const AddressRecord& address_record : address_records_) {
    auto [first, last] =
        std::equal_range(reachable_.begin(), reachable_.end(), address_record.owner, by_hash);
    const bool watched = std::any_of(
        first, last, [&](const NameRef& name) { return same_name(name, address_record.owner); });
    if (watched) add_watched(address_record.address, packet.packet_number, packet.timestamp_ns);
  }
}

void Analyzer::on_drop(const decode::PacketContext& packet, base::Drop reason) noexcept {
  counters_.drops.add(reason);
  if (!skips_packet(reason)) return;
  // Events come in processing order, so a packet's drops arrive together.
  if (any_packet_skipped_ && last_skipped_packet_ == packet.packet_number) return;
  any_packet_skipped_ = true;
  last_skipped_packet_ = packet.packet_number;
  ++counters_.skipped_packets;
}

void Analyzer::add_watched(const base::IpAddress& address, std::uint64_t packet_number,
                           std::int64_t timestamp_ns) {
  // The first time an address is learned is the one that counts; later answers change nothing.
  const auto [where, inserted] = watched_index_.try_emplace(address, watched_addresses_.size());
  if (inserted) watched_addresses_.push_back({address, packet_number, timestamp_ns});
}

Analyzer::NameRef Analyzer::store_name(const dns::DnsName& name) {
  const std::string_view key = name.key();
  const NameRef ref{hash_name(key), static_cast<std::uint32_t>(names_.size()),
                    static_cast<std::uint32_t>(key.size())};
  names_.insert(names_.end(), key.begin(), key.end());
  return ref;
}

bool Analyzer::same_name(const NameRef& a, const NameRef& b) const noexcept {
  if (a.hash != b.hash || a.length != b.length) return false;
  return std::equal(names_.begin() + a.offset, names_.begin() + a.offset + a.length,
                    names_.begin() + b.offset);
}

namespace {

void sort_for_report(std::vector<NameCount>& rows) {
  std::sort(rows.begin(), rows.end(), report_order);
}

}  // namespace

AnalysisResult Analyzer::result_without_names() const {
  AnalysisResult result;
  // Most results have no port to list (PartialAnalyzer::take() asks for one per batch): an
  // empty set skips the 65,536 tests.
  if (source_ports_.any()) {
    for (std::size_t port = 0; port < source_ports_.size(); ++port) {
      if (source_ports_[port]) result.source_ports.push_back(static_cast<std::uint16_t>(port));
    }
  }
  result.total_queries = total_queries_;
  result.watched_addresses = watched_addresses_;
  result.timeline = timeline_;
  result.counters() = counters_;
  return result;
}

NameCount Analyzer::row(std::string_view key, std::uint64_t count) const {
  if (!keyed_by_type_) {
    return {dns::to_report_string(key), count, options_.query_types.front()};
  }
  const auto type =
      static_cast<std::uint16_t>((static_cast<std::uint8_t>(key[key.size() - 2]) << 8) |
                                 static_cast<std::uint8_t>(key[key.size() - 1]));
  return {dns::to_report_string(key.substr(0, key.size() - 2)), count, type};
}

AnalysisResult Analyzer::result() const {
  AnalysisResult result = result_without_names();
  result.query_counts.reserve(query_counts_.size());
  for (const auto& [key, count] : query_counts_) result.query_counts.push_back(row(key, count));
  sort_for_report(result.query_counts);
  return result;
}

AnalysisResult Analyzer::take_result() {
  AnalysisResult result = result_without_names();
  result.query_counts.reserve(query_counts_.size());
  // Each map node is freed as its row is made, so the peak is one copy of the names, not two.
  while (!query_counts_.empty()) {
    const auto node = query_counts_.extract(query_counts_.begin());
    result.query_counts.push_back(row(node.key(), node.mapped()));
  }
  sort_for_report(result.query_counts);
  return result;
}

}  // namespace pa::analysis
