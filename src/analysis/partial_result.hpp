#pragma once

#include <bitset>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "analysis/analyzer.hpp"

namespace pa::analysis {

// A TCP SYN to the watched port whose destination was not known to be watched where it was
// seen. It counts (SPEC result 3) iff its destination is preset or was learned at a packet
// number smaller than packet_number; for a (destination, source port) pair only the largest
// packet number matters, which keeps the set as small as the distinct pairs.
struct SynCandidate {
  base::IpAddress destination;
  std::uint16_t source_port = 0;
  std::uint64_t packet_number = 0;
};

// What the analysis of part of the packets found, in a form that merges exactly whatever the
// split: sums, the first packet that taught each address, and SYN candidates.
struct PartialResult : RunCounters {
  std::vector<NameCount> query_counts;      // report-form names, any order
  std::vector<LearnedAddress> learned;      // in the order learned, packet numbers ascending
  std::vector<std::uint16_t> source_ports;  // SYNs to a preset address: counted already
  std::vector<SynCandidate> syn_candidates;
  Timeline timeline;  // as AnalysisResult's: it merges exactly
};

// Analyzes part of the packets (any of them, each whole, in processing order among
// themselves) into a PartialResult. take() hands out what was found since the last take() and
// starts afresh.
class PartialAnalyzer final : public decode::PacketEvents {
 public:
  // Throws std::invalid_argument when options.watch_host is not a valid domain name.
  explicit PartialAnalyzer(AnalysisOptions options);

  void on_tcp_segment(const decode::PacketContext& packet,
                      const decode::TcpSegmentHeader& segment) noexcept override;
  void on_dns_message(const decode::PacketContext& packet, std::span<const std::uint8_t> message,
                      decode::DnsTransport transport, bool cut_by_capture) noexcept override;
  void on_drop(const decode::PacketContext& packet, base::Drop reason) noexcept override;

  [[nodiscard]] PartialResult take();

 private:
  struct PairHash {
    std::size_t operator()(const std::pair<base::IpAddress, std::uint16_t>& key) const noexcept {
      return key.first.hash() * 31 + key.second;
    }
  };

  AnalysisOptions options_;  // without the presets: the merge owns them
  std::vector<base::IpAddress> presets_;
  std::optional<Analyzer> analyzer_;
  std::bitset<65536> source_ports_;
  std::vector<std::uint16_t> ports_set_;  // the bits of source_ports_, so take() need not scan
  std::unordered_map<std::pair<base::IpAddress, std::uint16_t>, std::uint64_t, PairHash>
      candidates_;
  Timeline attempts_;  // the connection attempts since the last take(); the analyzer has the rest
  bool analyzed_ = false;  // the analyzer saw an event since the last take()
};

// Merges PartialResults into the AnalysisResult a single Analyzer over all packets in
// processing order would give (presets first, then each address at the first packet that
// taught it, in the order learned).
class ResultMerger {
 public:
  explicit ResultMerger(AnalysisOptions options);

  void add(const PartialResult& partial);

  // Every packet numbered below `next_unaccounted` has been analyzed and added: candidates up
  // to it can be decided now and forgotten, which bounds what the merger holds.
  void settle(std::uint64_t next_unaccounted);

  [[nodiscard]] AnalysisResult result() const;

  [[nodiscard]] std::size_t pending_candidates() const noexcept { return candidates_.size(); }

 private:
  struct Learned {
    LearnedAddress address;
    std::uint64_t order = 0;  // position among the addresses taught by the same packet
  };
  struct PairHash {
    std::size_t operator()(const std::pair<base::IpAddress, std::uint16_t>& key) const noexcept {
      return key.first.hash() * 31 + key.second;
    }
  };
  [[nodiscard]] bool counts(const base::IpAddress& destination, std::uint64_t packet_number) const;

  AnalysisOptions options_;
  struct NameTypeHash {
    std::size_t operator()(const std::pair<std::string, std::uint16_t>& key) const noexcept {
      return std::hash<std::string>{}(key.first) * 31 + key.second;
    }
  };
  std::unordered_map<std::pair<std::string, std::uint16_t>, std::uint64_t, NameTypeHash>
      query_counts_;
  std::uint64_t total_queries_ = 0;
  Timeline timeline_;
  std::unordered_map<base::IpAddress, Learned> learned_;
  std::uint64_t next_order_ = 0;
  std::bitset<65536> source_ports_;
  std::unordered_map<std::pair<base::IpAddress, std::uint16_t>, std::uint64_t, PairHash>
      candidates_;
  RunCounters counters_;
};

}  // namespace pa::analysis
