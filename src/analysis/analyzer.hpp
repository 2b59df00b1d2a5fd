#pragma once

#include <bitset>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "analysis/timeline.hpp"
#include "base/drop_reason.hpp"
#include "base/ip_address.hpp"
#include "decode/packet_events.hpp"
#include "dns/dns_message.hpp"
#include "dns/dns_name.hpp"

namespace pa::analysis {

// --group-by: what a row of the name table counts.
enum class NameGrouping : std::uint8_t { name, registrable_domain, tld };

struct AnalysisOptions {
  // As typed; compared in canonical lower case with any trailing dot ignored.
  std::string watch_host = "www.google.com";
  std::uint16_t watch_port = 80;
  std::vector<base::IpAddress> preset_addresses;  // -g: in the set before the first packet
  bool learn_from_dns = true;                     // -d turns it off
  // --qtype: the question types counted in the name distribution; empty counts every type.
  std::vector<std::uint16_t> query_types = {1};
  // --group-by and --top: how the reports lay out the name table (report/name_table.hpp).
  NameGrouping group_by = NameGrouping::name;
  std::optional<std::size_t> top;

  [[nodiscard]] bool counts_type(std::uint16_t type) const noexcept {
    if (query_types.empty()) return true;
    for (const std::uint16_t t : query_types)
      if (t == type) return true;
    return false;
  }
  // The table tells types apart (a type column) unless exactly one type counts.
  [[nodiscard]] bool shows_type() const noexcept { return query_types.size() != 1; }
};

// An address of the watched host and when it entered the set. It counts for packets with a
// greater packet_number (SPEC: "after the response packet"). Preset addresses have
// packet_number 0 and timestamp_ns 0.
struct LearnedAddress {
  base::IpAddress address;
  std::uint64_t packet_number = 0;
  std::int64_t timestamp_ns = 0;
};

struct NameCount {
  std::string name;  // report form (dns::to_report_string)
  std::uint64_t count = 0;
  std::uint16_t type = 1;  // the question type (QTYPE)
};

// The name table's order: count descending, then name ascending (bytes), then type.
inline bool report_order(const NameCount& a, const NameCount& b) noexcept {
  if (a.count != b.count) return a.count > b.count;
  if (a.name != b.name) return a.name < b.name;
  return a.type < b.type;
}

// The counts every result carries, whatever part of the packets it covers: the results of
// two parts add up to the result of both, so each merger (the stream mode's, and any other)
// adds this one struct instead of copying its fields one by one.
struct RunCounters {
  std::uint64_t dns_messages = 0;
  // Messages whose header or question section does not decode completely (SPEC: "counted as
  // malformed"), whatever their QR and OPCODE; the drops tell dns_truncated (cut by the
  // capture) from dns_malformed.
  std::uint64_t malformed_dns_messages = 0;
  // Responses whose answer section stopped at a record that does not decode; the records
  // before it were used.
  std::uint64_t malformed_answer_sections = 0;
  // Packets skipped before any analysis (a link, IP or transport header that does not
  // decode): distinct packet numbers given a packet-level drop reason.
  std::uint64_t skipped_packets = 0;
  base::DropCounts drops;  // everything passed to on_drop, plus the DNS messages above

  RunCounters& operator+=(const RunCounters& other) noexcept {
    dns_messages += other.dns_messages;
    malformed_dns_messages += other.malformed_dns_messages;
    malformed_answer_sections += other.malformed_answer_sections;
    skipped_packets += other.skipped_packets;
    drops += other.drops;
    return *this;
  }
  [[nodiscard]] RunCounters& counters() noexcept { return *this; }
  [[nodiscard]] const RunCounters& counters() const noexcept { return *this; }
};

struct AnalysisResult : RunCounters {
  std::vector<std::uint16_t> source_ports;        // ascending, distinct
  std::vector<NameCount> query_counts;            // count descending, then name ascending (bytes)
  std::uint64_t total_queries = 0;                // sum of the counts: the percentage base
  std::vector<LearnedAddress> watched_addresses;  // in the order first learned; presets first
  // The counted queries and the connection attempts to the watched port (any destination)
  // over time.
  Timeline timeline;
};

// SPEC: a connection attempt is a TCP segment with SYN set and ACK and RST clear (other
// flags, such as ECN's ECE and CWR, do not matter), here one to `port`.
inline bool is_connection_attempt(const decode::TcpSegmentHeader& segment,
                                  std::uint16_t port) noexcept {
  constexpr std::uint8_t mask =
      decode::tcp_flag::syn | decode::tcp_flag::ack | decode::tcp_flag::rst;
  if ((segment.flags & mask) != decode::tcp_flag::syn) [[likely]] {
    return false;
  }
  return segment.destination_port == port;
}

// Does the SPEC's three analyses over the events of one capture, in processing order.
class Analyzer final : public decode::PacketEvents {
 public:
  // Throws std::invalid_argument when options.watch_host is not a valid domain name.
  explicit Analyzer(AnalysisOptions options);

  void on_tcp_segment(const decode::PacketContext& packet,
                      const decode::TcpSegmentHeader& segment) noexcept override;
  void on_dns_message(const decode::PacketContext& packet, std::span<const std::uint8_t> message,
                      decode::DnsTransport transport, bool cut_by_capture) noexcept override;
  void on_drop(const decode::PacketContext& packet, base::Drop reason) noexcept override;

  [[nodiscard]] AnalysisResult result() const;

  // The same result, built while the name counts are moved out of the analyzer, so a capture
  // with millions of distinct names does not hold them twice at the end. The analyzer is
  // spent afterwards: it has no query counts left.
  [[nodiscard]] AnalysisResult take_result();

  // The watched host in report form: lower case, no trailing dot, escaped.
  [[nodiscard]] const std::string& watched_name() const noexcept { return watched_report_name_; }

 private:
  // Where a name sits in names_, with its hash to compare cheaply first.
  struct NameRef {
    std::uint64_t hash = 0;
    std::uint32_t offset = 0;
    std::uint32_t length = 0;
  };
  struct CnameEdge {
    NameRef owner;
    NameRef target;
    bool followed = false;
  };
  struct AddressRecord {
    NameRef owner;
    base::IpAddress address;
  };
  // Heterogeneous lookup: counting an already-seen name does not allocate.
  struct NameKeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const noexcept {
      return std::hash<std::string_view>{}(key);
    }
  };

  // A row of the name table from a key of query_counts_.
  [[nodiscard]] NameCount row(std::string_view key, std::uint64_t count) const;
  // Everything but the query counts.
  [[nodiscard]] AnalysisResult result_without_names() const;
  void count_query(const dns::DnsName& name, std::uint16_t type, std::int64_t timestamp_ns);
  void learn_addresses(const decode::PacketContext& packet, const dns::DnsMessage& message,
                       std::size_t answers_offset);
  void add_watched(const base::IpAddress& address, std::uint64_t packet_number,
                   std::int64_t timestamp_ns);
  NameRef store_name(const dns::DnsName& name);
  [[nodiscard]] bool same_name(const NameRef& a, const NameRef& b) const noexcept;

  AnalysisOptions options_;
  dns::DnsName watched_name_;
  std::string watched_report_name_;

  // Address -> index into watched_addresses_; an address keeps the packet that first added it.
  std::unordered_map<base::IpAddress, std::size_t> watched_index_;
  std::vector<LearnedAddress> watched_addresses_;

  std::bitset<65536> source_ports_;
  // Keys are the canonical name, followed by the type's two bytes when shows_type().
  bool keyed_by_type_ = false;
  std::string key_scratch_;
  std::unordered_map<std::string, std::uint64_t, NameKeyHash, std::equal_to<>> query_counts_;
  std::uint64_t total_queries_ = 0;
  Timeline timeline_;

  RunCounters counters_;
  std::uint64_t last_skipped_packet_ = 0;
  bool any_packet_skipped_ = false;

  // Scratch space for one response's answer section, kept between messages so that reading
  // answers allocates only while the buffers grow to the largest message seen.
  std::vector<char> names_;
  std::vector<CnameEdge> cname_edges_;
  std::vector<AddressRecord> address_records_;
  std::vector<NameRef> reachable_;
};

}  // namespace pa::analysis
