#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/ip_address.hpp"
#include "packet_spec.hpp"

namespace pa::generate {

// The three results of the SPEC, kept up to date packet by packet in the order the packets
// are written, from the model's own account of each packet. Independent of the analyzer on
// purpose: the two are compared end to end.
class ExpectedAnswers {
 public:
  ExpectedAnswers(std::string watched_host, std::uint16_t watched_port);

  // Call for every packet, in the order written.
  void observe(const PacketSpec& packet);

  [[nodiscard]] const std::string& watched_host() const noexcept { return watched_host_; }
  [[nodiscard]] std::uint16_t watched_port() const noexcept { return watched_port_; }
  [[nodiscard]] const std::set<std::uint16_t>& source_ports() const noexcept { return ports_; }
  [[nodiscard]] const std::map<std::string, std::uint64_t>& a_query_counts() const noexcept {
    return counts_;
  }
  struct Learned {
    std::int64_t timestamp_ns = 0;
    std::uint64_t packet_index = 0;  // 0-based, over all files in order
  };
  // Each watched address with the packet that taught it.
  [[nodiscard]] const std::map<base::IpAddress, Learned>& watched_addresses() const noexcept {
    return addresses_;
  }
  [[nodiscard]] std::uint64_t packets() const noexcept { return packets_; }
  // SYNs to the watched port of an address that the set gained only after them: the
  // ones that must not count.
  [[nodiscard]] std::uint64_t syns_before_learning() const;

 private:
  void observe_dns(const DnsMessage& message, std::int64_t timestamp_ns);

  std::string watched_host_;
  std::uint16_t watched_port_;
  std::set<std::uint16_t> ports_;
  std::map<std::string, std::uint64_t> counts_;
  std::map<base::IpAddress, Learned> addresses_;
  std::uint64_t packets_ = 0;
  std::map<base::IpAddress, std::uint64_t> unwatched_syns_;
};

// Lower-cases ASCII letters: names are compared and reported that way (SPEC "DNS names").
std::string lower_case(std::string name);

}  // namespace pa::generate
