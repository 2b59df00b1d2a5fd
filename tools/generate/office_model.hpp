#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/ip_address.hpp"
#include "dns_message.hpp"
#include "name_table.hpp"
#include "packet_spec.hpp"
#include "random.hpp"

namespace pa::generate {

struct ModelOptions {
  std::uint64_t seed = 1;
  std::int64_t start_ns = 1772442000LL * 1000000000LL;  // Monday 2026-03-02 09:00 UTC
  double duration_seconds = 60;  // sessions start only before this; <= 0: no limit
  double sessions_per_second = 1.0;
  // The `--unique-names` variant: A queries cover exactly this many distinct names (the
  // office names first, then synthetic ones), and the traffic does not end before every one
  // was asked. 0 = the office names only.
  std::uint64_t unique_names = 0;
};

// The "office" traffic model: a few clients behind a router that is also their resolver,
// looking names up (UDP mostly, TCP sometimes) and connecting to the answers, with the noise
// of a real segment around it. Packets come out in time order, each timestamp at least one
// microsecond after the previous one, so every capture format keeps the same order.
class OfficeModel {
 public:
  explicit OfficeModel(const ModelOptions& options);

  // The next packet; false once the traffic is over (the duration passed or end() was called,
  // and every started conversation has played out).
  bool next(PacketSpec& packet);

  // Starts no new conversation from now on (except to finish the unique names).
  void end() noexcept { end_requested_ = true; }

 private:
  struct Host {
    MacAddress mac{};
    base::IpAddress v4;
    std::optional<base::IpAddress> v6;
    std::uint16_t vlan = 0;
    std::uint16_t ip_id = 0;
  };
  // The two ends of one conversation as seen on the capture link: the client is local, the
  // peer is behind the router (or is the router).
  struct Path {
    Host* client = nullptr;
    base::IpAddress client_ip;
    base::IpAddress peer_ip;
    MacAddress peer_mac{};
    std::uint8_t peer_ttl = 64;
  };
  struct TcpState {
    Path path;
    std::uint16_t client_port = 0;
    std::uint16_t server_port = 0;
    std::uint32_t client_seq = 0;  // next sequence number the client sends
    std::uint32_t server_seq = 0;
  };
  struct Answer {
    std::int64_t time_ns = 0;
    std::vector<base::IpAddress> addresses;
  };

  bool may_start_session() const noexcept;
  void start_session(std::int64_t t);
  void schedule(PacketSpec&& packet);
  PacketSpec packet(std::int64_t t, PacketKind kind, const Path& path, bool from_client);

  Host& pick_client();
  const NameEntry& pick_name();
  Path path_to(Host& client, const base::IpAddress& peer);
  Path resolver_path(Host& client, bool over_v6);

  std::shared_ptr<DnsMessage> query(const std::string& name, DnsType type, bool edns);
  std::shared_ptr<DnsMessage> response(const DnsMessage& query, const NameEntry& entry,
                                       bool dnssec);

  // Sessions. Each schedules all its packets from `t` on.
  void lookup(std::int64_t t, const NameEntry& entry, Host& client, double connect_chance);
  std::vector<Answer> dns_over_udp(std::int64_t t, const Path& path,
                                   const std::vector<std::shared_ptr<DnsMessage>>& queries,
                                   const NameEntry& entry);
  std::vector<Answer> dns_over_tcp(std::int64_t t, const Path& path,
                                   const std::vector<std::shared_ptr<DnsMessage>>& queries,
                                   const NameEntry& entry);
  void udp_datagram(std::int64_t t, const Path& path, bool from_client, std::uint16_t client_port,
                    std::uint16_t server_port, std::vector<std::uint8_t> payload,
                    std::shared_ptr<const DnsMessage> completes);
  void fragmented_udp(std::int64_t t, const Path& path, std::uint16_t client_port,
                      std::uint16_t server_port, const std::vector<std::uint8_t>& payload,
                      std::shared_ptr<const DnsMessage> completes);
  void web_connection(std::int64_t t, const Path& path, std::uint16_t port,
                      const std::string& host);
  // A TCP handshake; returns when the client's ACK goes out, or nullopt if never answered.
  std::optional<std::int64_t> handshake(std::int64_t t, TcpState& tcp, std::int64_t rtt,
                                        bool allow_loss);
  std::int64_t segment(std::int64_t t, TcpState& tcp, bool from_client,
                       std::vector<std::uint8_t> payload, std::uint32_t filler,
                       std::uint8_t extra_flags = tcp_flag::psh,
                       std::vector<std::shared_ptr<const DnsMessage>> completes = {});
  std::int64_t close(std::int64_t t, TcpState& tcp, std::int64_t rtt);
  void cached_connection(std::int64_t t, const NameEntry& entry, std::uint16_t port);
  void reverse_lookup(std::int64_t t);
  void mail_lookup(std::int64_t t);
  void search_alias(std::int64_t t);
  void ping(std::int64_t t);
  void ntp(std::int64_t t);
  void arp(std::int64_t t);
  void mdns(std::int64_t t);
  void tls_stream(std::int64_t t);

  ModelOptions options_;
  Random random_;
  std::vector<NameEntry> names_;
  unsigned names_weight_ = 0;
  std::vector<Host> clients_;
  Host router_;
  base::IpAddress resolver_v4_;
  base::IpAddress resolver_v6_;
  std::int64_t end_ns_ = 0;
  std::int64_t next_session_ns_ = 0;
  std::int64_t last_emitted_ns_ = 0;
  std::uint64_t sequence_ = 0;
  std::uint64_t next_unique_ = 0;
  bool end_requested_ = false;
  std::vector<PacketSpec> heap_;  // earliest first under Later
};

}  // namespace pa::generate
