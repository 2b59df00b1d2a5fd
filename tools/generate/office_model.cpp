#include "office_model.hpp"

#include <algorithm>
#include <array>
#include <string_view>
#include <utility>

#include "office_constants.hpp"

namespace pa::generate {

using namespace office;

namespace {

// Later timestamps sink; ties keep scheduling order.
struct Later {
  bool operator()(const PacketSpec& a, const PacketSpec& b) const noexcept {
    return a.timestamp_ns != b.timestamp_ns ? a.timestamp_ns > b.timestamp_ns
                                            : a.sequence > b.sequence;
  }
};

std::uint8_t remote_ttl(const base::IpAddress& peer) {
  // Servers start at 64 or 128 and are 8 to 20 hops away; stable per address.
  const std::size_t h = peer.hash();
  return static_cast<std::uint8_t>(((h & 1) ? 128 : 64) - 8 - static_cast<int>((h >> 1) % 13));
}

}  // namespace

OfficeModel::OfficeModel(const ModelOptions& options)
    : options_{options}, random_{options.seed}, names_{office_names()} {
  if (options_.unique_names != 0 && options_.unique_names < names_.size()) {
    names_.resize(options_.unique_names);
  }
  for (const auto& entry : names_) names_weight_ += entry.weight;

  router_.mac = {0x00, 0x0d, 0xb9, 0x4a, 0x1c, 0x01};
  router_.v4 = address("192.168.10.1");
  router_.v6 = address("2a02:8108:1c40:7e00::1");
  resolver_v4_ = router_.v4;
  resolver_v6_ = *router_.v6;

  // Eight desks: three dual-stack, three on VLAN 20 (their frames carry an 802.1Q tag on the
  // trunk where the capture is taken).
  static constexpr std::array<std::array<std::uint8_t, 3>, 4> vendors{
      {{0x3c, 0x22, 0xfb}, {0xf0, 0x18, 0x98}, {0x00, 0x1b, 0x21}, {0xa4, 0x83, 0xe7}}};
  for (std::uint8_t i = 0; i < 8; ++i) {
    Host& host = clients_.emplace_back();
    const auto& oui = vendors[i % vendors.size()];
    host.mac = {oui[0],
                oui[1],
                oui[2],
                static_cast<std::uint8_t>(random_.next()),
                static_cast<std::uint8_t>(random_.next()),
                static_cast<std::uint8_t>(i + 0x10)};
    const bool vlan20 = i >= 5;
    host.vlan = vlan20 ? 20 : 0;
    const std::array<std::uint8_t, 4> v4{192, 168, static_cast<std::uint8_t>(vlan20 ? 20 : 10),
                                         static_cast<std::uint8_t>(101 + i)};
    host.v4 = base::IpAddress::v4(v4);
    if (i % 3 == 0) host.v6 = address("2a02:8108:1c40:7e00::" + std::to_string(101 + i));
    host.ip_id = static_cast<std::uint16_t>(random_.next());
  }

  next_session_ns_ = options_.start_ns;
  last_emitted_ns_ = options_.start_ns - us;
  end_ns_ = options_.duration_seconds > 0
                ? options_.start_ns + static_cast<std::int64_t>(options_.duration_seconds * 1e9)
                : INT64_MAX;

  // The capture begins while some desks already hold www.google.com's addresses in their
  // caches: plain-HTTP connections to them come before any answer names them, and so must
  // not count (SPEC result 2: an address counts only after the response that teaches it).
  cached_connection(options_.start_ns + 150 * ms, names_[0], 80);
  cached_connection(options_.start_ns + 900 * ms, names_[0], 80);
  tls_stream(options_.start_ns + 40 * ms);
  arp(options_.start_ns + 400 * ms);
  next_session_ns_ = options_.start_ns + 2 * s;
}

bool OfficeModel::may_start_session() const noexcept {
  if (options_.unique_names != 0 && next_unique_ < options_.unique_names) return true;
  return !end_requested_ && next_session_ns_ < end_ns_;
}

bool OfficeModel::next(PacketSpec& out) {
  while (may_start_session() && (heap_.empty() || next_session_ns_ <= heap_.front().timestamp_ns)) {
    const std::int64_t t = next_session_ns_;
    next_session_ns_ += std::max<std::int64_t>(
        us, static_cast<std::int64_t>(random_.exponential(1e9 / options_.sessions_per_second)));
    start_session(t);
  }
  if (heap_.empty()) return false;
  std::pop_heap(heap_.begin(), heap_.end(), Later{});
  out = std::move(heap_.back());
  heap_.pop_back();
  // Whole microseconds, strictly increasing: pcap's microsecond format then holds the same
  // order and times as the nanosecond ones, and a merge of rotated files has no ties.
  out.timestamp_ns = std::max(out.timestamp_ns / us * us, last_emitted_ns_ + us);
  last_emitted_ns_ = out.timestamp_ns;
  return true;
}

void OfficeModel::schedule(PacketSpec&& packet) {
  packet.sequence = sequence_++;
  heap_.push_back(std::move(packet));
  std::push_heap(heap_.begin(), heap_.end(), Later{});
}

PacketSpec OfficeModel::packet(std::int64_t t, PacketKind kind, const Path& path,
                               bool from_client) {
  PacketSpec p;
  p.timestamp_ns = t;
  p.kind = kind;
  p.vlan = path.client->vlan;
  if (from_client) {
    p.source_mac = path.client->mac;
    p.destination_mac = path.peer_mac;
    p.source = path.client_ip;
    p.destination = path.peer_ip;
    p.ttl = 64;
    p.ip_id = path.client->ip_id++;
  } else {
    p.source_mac = path.peer_mac;
    p.destination_mac = path.client->mac;
    p.source = path.peer_ip;
    p.destination = path.client_ip;
    p.ttl = path.peer_ttl;
    p.ip_id = static_cast<std::uint16_t>(random_.next());
  }
  return p;
}

OfficeModel::Host& OfficeModel::pick_client() {
  // Some desks are busier than others.
  static constexpr std::array<unsigned, 8> weights{6, 3, 5, 2, 4, 3, 1, 2};
  std::uint64_t r = random_.below(26);
  for (std::size_t i = 0; i < weights.size(); ++i) {
    if (r < weights[i]) return clients_[i];
    r -= weights[i];
  }
  return clients_.back();
}

const NameEntry& OfficeModel::pick_name() {
  std::uint64_t r = random_.below(names_weight_);
  for (const auto& entry : names_) {
    if (r < entry.weight) return entry;
    r -= entry.weight;
  }
  return names_.back();
}

OfficeModel::Path OfficeModel::path_to(Host& client, const base::IpAddress& peer) {
  Path path;
  path.client = &client;
  path.peer_ip = peer;
  path.client_ip = peer.is_v4() ? client.v4 : client.v6.value_or(client.v4);
  path.peer_mac = router_.mac;
  path.peer_ttl = remote_ttl(peer);
  return path;
}

OfficeModel::Path OfficeModel::resolver_path(Host& client, bool over_v6) {
  Path path = path_to(client, over_v6 && client.v6 ? resolver_v6_ : resolver_v4_);
  path.peer_ttl = 64;
  return path;
}

void OfficeModel::start_session(std::int64_t t) {
  if (options_.unique_names != 0) {
    // Mostly names never asked before, until all are; then the office's usual mix.
    if (next_unique_ < options_.unique_names && random_.chance(0.98)) {
      // The office's names come first, then the synthetic ones.
      const std::uint64_t index = next_unique_++;
      if (index < names_.size()) {
        lookup(t, names_[index], pick_client(), 0.5);
      } else {
        NameEntry entry;
        entry.name = synthetic_name(index);
        entry.v4 = {synthetic_address(index)};
        entry.ttl = 60;
        lookup(t, entry, pick_client(), 0.02);
      }
      return;
    }
    if (next_unique_ >= options_.unique_names && random_.chance(0.5)) {
      const std::uint64_t index = random_.below(options_.unique_names);
      if (index >= names_.size()) {
        NameEntry entry;
        entry.name = synthetic_name(index);
        entry.v4 = {synthetic_address(index)};
        entry.ttl = 60;
        lookup(t, entry, pick_client(), 0.02);
        return;
      }
    }
  }
  const std::uint64_t kind = random_.below(100);
  if (kind < 58) {
    lookup(t, pick_name(), pick_client(), 0.85);
  } else if (kind < 64) {
    cached_connection(t, pick_name(), 0);
  } else if (kind < 69) {
    reverse_lookup(t);
  } else if (kind < 71) {
    mail_lookup(t);
  } else if (kind < 73) {
    if (options_.unique_names == 0) search_alias(t);
  } else if (kind < 77) {
    ping(t);
  } else if (kind < 81) {
    ntp(t);
  } else if (kind < 86) {
    arp(t);
  } else if (kind < 90) {
    mdns(t);
  } else {
    tls_stream(t);
  }
}

void OfficeModel::lookup(std::int64_t t, const NameEntry& entry, Host& client,
                         double connect_chance) {
  const bool ask_aaaa = client.v6 ? true : random_.chance(0.3);
  const bool over_v6 = client.v6 && random_.chance(0.4);
  const bool edns = random_.chance(0.5);
  // One desk runs a validating resolver that randomizes the case of query names
  // (draft-vixie-dnsext-dns0x20); names count case-insensitively all the same.
  std::string name = entry.name;
  if (&client == &clients_[3]) {
    for (char& c : name) {
      if (c >= 'a' && c <= 'z' && random_.chance(0.5)) c = static_cast<char>(c - 'a' + 'A');
    }
  }
  std::vector<std::shared_ptr<DnsMessage>> queries{query(name, DnsType::a, edns)};
  if (ask_aaaa) queries.push_back(query(name, DnsType::aaaa, edns));
  const Path path = resolver_path(client, over_v6);
  // RFC 7766: TCP is for answers that do not fit, and some stub resolvers just use it.
  const auto answers = random_.chance(0.07) ? dns_over_tcp(t, path, queries, entry)
                                            : dns_over_udp(t, path, queries, entry);
  if (entry.nxdomain || !random_.chance(connect_chance)) return;
  // Happy eyeballs, roughly: a dual-stack desk prefers an AAAA answer when there is one.
  const Answer* chosen = nullptr;
  for (const auto& answer : answers) {
    if (answer.addresses.empty()) continue;
    if (!chosen || (client.v6 && !answer.addresses.front().is_v4() && random_.chance(0.7))) {
      chosen = &answer;
    }
  }
  if (!chosen) return;
  const std::uint16_t port = random_.below(100) < entry.plain_http_percent ? 80 : 443;
  const auto connections = 1 + random_.below(random_.chance(0.3) ? 3 : 1);
  std::int64_t when = chosen->time_ns + random_.between(200 * us, 30 * ms);
  for (std::uint64_t i = 0; i < connections; ++i) {
    const auto& peer = chosen->addresses[random_.below(chosen->addresses.size())];
    web_connection(when, path_to(client, peer), port, entry.name);
    when += random_.between(100 * us, 400 * ms);
  }
}

void OfficeModel::search_alias(std::int64_t t) {
  // The intranet's "search" is an alias of www.google.com: its answers teach the watched
  // addresses too, through the CNAME chain (SPEC result 2).
  NameEntry entry = names_.front();
  entry.name = "search.office.lan";
  entry.chain.insert(entry.chain.begin(), names_.front().name);
  lookup(t, entry, pick_client(), 0.9);
}

void OfficeModel::ping(std::int64_t t) {
  Host& client = pick_client();
  const bool v6 = client.v6 && random_.chance(0.4);
  const Path path = path_to(client, address(v6 ? "2001:4860:4860::8888" : "8.8.8.8"));
  const auto id = static_cast<std::uint16_t>(random_.next());
  const std::int64_t rtt = random_.between(9 * ms, 16 * ms);
  for (std::uint16_t i = 1; i <= 4; ++i) {
    for (const bool from_client : {true, false}) {
      PacketSpec p = packet(t + (from_client ? 0 : rtt), PacketKind::icmp_echo, path, from_client);
      p.icmp_reply = !from_client;
      p.source_port = id;
      p.destination_port = i;
      p.tcp_seq = i;
      p.filler_length = 56;
      schedule(std::move(p));
    }
    t += s + random_.between(0, 2 * ms);
  }
}

void OfficeModel::ntp(std::int64_t t) {
  Host& client = pick_client();
  const Path path = path_to(client, address("185.125.190.58"));  // ntp.ubuntu.com
  // RFC 5905 7.3: LI 0, version 4, mode 3 (client) / 4 (server); 48 bytes.
  std::vector<std::uint8_t> request{0x23, 0, 6, 0xe9};
  request.resize(48);
  udp_datagram(t, path, true, 123, 123, request, nullptr);
  std::vector<std::uint8_t> reply{0x24, 2, 6, 0xe9};
  reply.resize(48);
  udp_datagram(t + random_.between(12 * ms, 30 * ms), path, false, 123, 123, reply, nullptr);
}

void OfficeModel::arp(std::int64_t t) {
  Host& client = pick_client();
  Path path = path_to(client, router_.v4);
  path.client_ip = client.v4;
  if (client.vlan != 0) {
    const std::array<std::uint8_t, 4> gateway{192, 168, 20, 1};
    path.peer_ip = base::IpAddress::v4(gateway);
  }
  PacketSpec request = packet(t, PacketKind::arp, path, true);
  request.destination_mac = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  schedule(std::move(request));
  PacketSpec reply = packet(t + random_.between(100 * us, 900 * us), PacketKind::arp, path, false);
  reply.arp_reply = true;
  schedule(std::move(reply));
}

}  // namespace pa::generate
