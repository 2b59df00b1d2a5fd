#include "analysis/partial_result.hpp"

#include <algorithm>
#include <utility>

namespace pa::analysis {

namespace {

AnalysisOptions without_presets(AnalysisOptions options) {
  options.preset_addresses.clear();
  return options;
}

}  // namespace

PartialAnalyzer::PartialAnalyzer(AnalysisOptions options)
    : options_(without_presets(options)), presets_(std::move(options.preset_addresses)) {
  analyzer_.emplace(options_);
}

void PartialAnalyzer::on_tcp_segment(const decode::PacketContext& packet,
                                     const decode::TcpSegmentHeader& segment) noexcept {
  // Whether the destination is watched at this packet is decided when the parts are merged.
  if (!is_connection_attempt(segment, options_.watch_port)) [[likely]] {
    return;
  }
  attempts_.add(packet.timestamp_ns, TimelineSeries::connection_attempts);
  if (source_ports_.test(segment.source_port)) return;
  if (std::find(presets_.begin(), presets_.end(), segment.destination) != presets_.end()) {
    source_ports_.set(segment.source_port);
    ports_set_.push_back(segment.source_port);
    return;
  }
  auto [where, inserted] =
      candidates_.try_emplace({segment.destination, segment.source_port}, packet.packet_number);
  if (!inserted) where->second = std::max(where->second, packet.packet_number);
}

void PartialAnalyzer::on_dns_message(const decode::PacketContext& packet,
                                     std::span<const std::uint8_t> message,
                                     decode::DnsTransport transport, bool cut_by_capture) noexcept {
  analyzed_ = true;
  analyzer_->on_dns_message(packet, message, transport, cut_by_capture);
}

void PartialAnalyzer::on_drop(const decode::PacketContext& packet, base::Drop reason) noexcept {
  analyzed_ = true;
  analyzer_->on_drop(packet, reason);
}

PartialResult PartialAnalyzer::take() {
  PartialResult partial;
  if (analyzed_) {
    AnalysisResult found = analyzer_->result();
    partial.query_counts = std::move(found.query_counts);
    partial.learned = std::move(found.watched_addresses);
    partial.counters() = found.counters();
    partial.timeline = std::move(found.timeline);
    analyzer_.emplace(options_);
    analyzed_ = false;
  }
  partial.timeline.fold_in(attempts_);
  attempts_ = Timeline{};
  std::sort(ports_set_.begin(), ports_set_.end());
  partial.source_ports = ports_set_;
  partial.syn_candidates.reserve(candidates_.size());
  for (const auto& [key, packet_number] : candidates_) {
    // A candidate whose port counts already adds nothing.
    if (source_ports_.test(key.second)) continue;
    partial.syn_candidates.push_back({key.first, key.second, packet_number});
  }
  std::sort(partial.syn_candidates.begin(), partial.syn_candidates.end(),
            [](const SynCandidate& a, const SynCandidate& b) {
              return a.packet_number < b.packet_number;
            });
  candidates_.clear();
  for (const std::uint16_t port : ports_set_) source_ports_.reset(port);
  ports_set_.clear();
  return partial;
}

ResultMerger::ResultMerger(AnalysisOptions options) : options_(std::move(options)) {
  for (const base::IpAddress& address : options_.preset_addresses) {
    // As Analyzer: presets are in the set before the first packet, in the order given.
    if (learned_.try_emplace(address, Learned{{address, 0, 0}, next_order_}).second) ++next_order_;
  }
}

bool ResultMerger::counts(const base::IpAddress& destination, std::uint64_t packet_number) const {
  const auto found = learned_.find(destination);
  return found != learned_.end() && found->second.address.packet_number < packet_number;
}

void ResultMerger::add(const PartialResult& partial) {
  for (const NameCount& row : partial.query_counts) {
    query_counts_[{row.name, row.type}] += row.count;
    total_queries_ += row.count;
  }
  // The first packet that taught an address is the smallest packet number over all parts.
  for (const LearnedAddress& address : partial.learned) {
    auto [where, inserted] = learned_.try_emplace(address.address, Learned{address, next_order_});
    if (inserted) {
      ++next_order_;
    } else if (address.packet_number < where->second.address.packet_number) {
      where->second = Learned{address, next_order_++};
    }
  }
  for (const std::uint16_t port : partial.source_ports) source_ports_.set(port);
  for (const SynCandidate& candidate : partial.syn_candidates) {
    if (source_ports_.test(candidate.source_port)) continue;
    // Learning can only move an address earlier, so a candidate that counts now always will.
    if (counts(candidate.destination, candidate.packet_number)) {
      source_ports_.set(candidate.source_port);
      continue;
    }
    auto [where, inserted] = candidates_.try_emplace({candidate.destination, candidate.source_port},
                                                     candidate.packet_number);
    if (!inserted) where->second = std::max(where->second, candidate.packet_number);
  }
  counters_ += partial.counters();
  timeline_.fold_in(partial.timeline);
}

void ResultMerger::settle(std::uint64_t next_unaccounted) {
  // A candidate at packet n depends only on packets before n; once they are all in, its
  // destination's first learning before n is known for good.
  for (auto it = candidates_.begin(); it != candidates_.end();) {
    if (it->second > next_unaccounted) {
      ++it;
      continue;
    }
    if (counts(it->first.first, it->second)) source_ports_.set(it->first.second);
    it = candidates_.erase(it);
  }
}

AnalysisResult ResultMerger::result() const {
  AnalysisResult result;
  std::bitset<65536> ports = source_ports_;
  for (const auto& [key, packet_number] : candidates_) {
    if (counts(key.first, packet_number)) ports.set(key.second);
  }
  for (std::size_t port = 0; port < ports.size(); ++port) {
    if (ports.test(port)) result.source_ports.push_back(static_cast<std::uint16_t>(port));
  }
  result.query_counts.reserve(query_counts_.size());
  for (const auto& [key, count] : query_counts_) {
    result.query_counts.push_back({key.first, count, key.second});
  }
  std::sort(result.query_counts.begin(), result.query_counts.end(), report_order);
  result.total_queries = total_queries_;
  result.timeline = timeline_;
  std::vector<Learned> learned;
  learned.reserve(learned_.size());
  for (const auto& [address, entry] : learned_) learned.push_back(entry);
  std::sort(learned.begin(), learned.end(), [](const Learned& a, const Learned& b) {
    if (a.address.packet_number != b.address.packet_number) {
      return a.address.packet_number < b.address.packet_number;
    }
    return a.order < b.order;
  });
  for (const Learned& entry : learned) result.watched_addresses.push_back(entry.address);
  result.counters() = counters_;
  return result;
}

}  // namespace pa::analysis
