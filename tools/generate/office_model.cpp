#include "office_model.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <string_view>
#include <utility>

#include "packet_builder.hpp"

namespace pa::generate {
namespace {

constexpr std::int64_t us = 1000;
constexpr std::int64_t ms = 1000 * us;
constexpr std::int64_t s = 1000 * ms;
constexpr std::uint16_t dns_port = 53;
// RFC 894 with a 1500-byte MTU: what one IPv4 fragment can carry, a multiple of 8.
constexpr std::size_t fragment_payload = 1480;
constexpr std::uint32_t mss = 1448;  // 1500 - 20 (IP) - 32 (TCP with timestamps)

// Later timestamps sink; ties keep scheduling order.
struct Later {
  bool operator()(const PacketSpec& a, const PacketSpec& b) const noexcept {
    return a.timestamp_ns != b.timestamp_ns ? a.timestamp_ns > b.timestamp_ns
                                            : a.sequence > b.sequence;
  }
};

base::IpAddress address(std::string_view text) { return *base::IpAddress::parse(text); }

std::vector<std::uint8_t> text_bytes(std::string_view text) { return {text.begin(), text.end()}; }

// RFC 5246 6.2.1: a TLS record header before `length` bytes of (here random) content.
std::vector<std::uint8_t> tls_header(std::uint8_t content_type, std::uint32_t length) {
  return {content_type, 0x03, 0x03, static_cast<std::uint8_t>(length >> 8),
          static_cast<std::uint8_t>(length)};
}

std::uint8_t remote_ttl(const base::IpAddress& peer) {
  // Servers start at 64 or 128 and are 8 to 20 hops away; stable per address.
  const std::size_t h = peer.hash();
  return static_cast<std::uint8_t>(((h & 1) ? 128 : 64) - 8 - static_cast<int>((h >> 1) % 13));
}

// RFC 1035 3.5 / RFC 3596 2.5: the name a PTR query asks for.
std::string reverse_name(const base::IpAddress& address) {
  std::string name;
  const auto bytes = address.bytes();
  if (address.is_v4()) {
    for (std::size_t i = 4; i-- > 0;) name += std::to_string(bytes[i]) + ".";
    return name + "in-addr.arpa";
  }
  static constexpr std::string_view hex = "0123456789abcdef";
  for (std::size_t i = 16; i-- > 0;) {
    name += hex[bytes[i] & 0xf];
    name += '.';
    name += hex[bytes[i] >> 4];
    name += '.';
  }
  return name + "ip6.arpa";
}

std::string zone_of(const std::string& name) {
  const auto dot = name.find('.');
  return dot == std::string::npos ? name : name.substr(dot + 1);
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

std::shared_ptr<DnsMessage> OfficeModel::query(const std::string& name, DnsType type, bool edns) {
  auto message = std::make_shared<DnsMessage>();
  message->id = static_cast<std::uint16_t>(random_.next());
  message->questions.push_back({name, type});
  if (edns) message->edns_udp_size = 1232;  // the DNS Flag Day 2020 default
  return message;
}

std::shared_ptr<DnsMessage> OfficeModel::response(const DnsMessage& q, const NameEntry& entry,
                                                  bool dnssec) {
  auto r = std::make_shared<DnsMessage>(q);
  r->response = true;
  r->recursion_available = true;
  r->dnssec_ok = dnssec;
  if (q.edns_udp_size != 0) r->edns_udp_size = dnssec ? 4096 : 1232;
  const DnsQuestion& question = q.questions.front();
  auto signature = [&](const std::string& owner, DnsType covered, std::uint32_t ttl) {
    DnsRecord sig;
    sig.owner = owner;
    sig.type = DnsType::rrsig;
    sig.ttl = ttl;
    sig.covered = covered;
    sig.target = zone_of(entry.chain.empty() ? entry.name : entry.chain.back());
    sig.signature_seed = static_cast<std::uint32_t>(random_.next());
    return sig;
  };
  if (entry.nxdomain) {
    // RFC 2308 3: a name error carries the zone's SOA in the authority section.
    r->rcode = DnsRcode::name_error;
    DnsRecord soa;
    soa.owner = zone_of(question.name);
    soa.type = DnsType::soa;
    soa.ttl = 300;
    soa.target = "ns1." + soa.owner;
    soa.mailbox = "hostmaster." + soa.owner;
    r->authority.push_back(std::move(soa));
    return r;
  }
  std::string owner = question.name;
  const auto age = static_cast<std::uint32_t>(random_.below(entry.ttl));
  for (const auto& target : entry.chain) {
    DnsRecord cname;
    cname.owner = owner;
    cname.type = DnsType::cname;
    cname.ttl = entry.ttl * 4 - age;
    cname.target = target;
    r->answers.push_back(std::move(cname));
    if (dnssec) r->answers.push_back(signature(owner, DnsType::cname, entry.ttl * 4));
    owner = target;
  }
  const auto& pool = question.type == DnsType::aaaa ? entry.v6 : entry.v4;
  if (!pool.empty() && (question.type == DnsType::a || question.type == DnsType::aaaa)) {
    const std::size_t count = std::min<std::size_t>(entry.addresses_per_answer, pool.size());
    const std::size_t first = random_.below(pool.size());
    for (std::size_t i = 0; i < count; ++i) {
      DnsRecord record;
      record.owner = owner;
      record.type = question.type;
      record.ttl = entry.ttl - age;
      record.address = pool[(first + i) % pool.size()];
      r->answers.push_back(std::move(record));
    }
    if (dnssec) r->answers.push_back(signature(owner, question.type, entry.ttl));
  }
  if (dnssec) {
    // A signed delegation with its glue: what pushes a DNSSEC answer past one MTU.
    const std::string zone = zone_of(owner);
    for (int i = 1; i <= 4; ++i) {
      DnsRecord ns;
      ns.owner = zone;
      ns.type = DnsType::ns;
      ns.ttl = 172800;
      ns.target = "ns" + std::to_string(i) + "." + zone;
      r->authority.push_back(ns);
      DnsRecord glue4;
      glue4.owner = ns.target;
      glue4.type = DnsType::a;
      glue4.ttl = 172800;
      const std::array<std::uint8_t, 4> v4{216, 239, static_cast<std::uint8_t>(30 + 2 * i), 10};
      glue4.address = base::IpAddress::v4(v4);
      r->additional.push_back(glue4);
      DnsRecord glue6 = glue4;
      glue6.type = DnsType::aaaa;
      std::array<std::uint8_t, 16> v6{0x20, 0x01, 0x48, 0x60,
                                      0x48, 0x02, 0x00, static_cast<std::uint8_t>(0x30 + 2 * i)};
      v6[15] = 0x0a;
      glue6.address = base::IpAddress::v6(v6);
      r->additional.push_back(glue6);
    }
    r->authority.push_back(signature(zone, DnsType::ns, 172800));
    r->additional.push_back(signature("ns1." + zone, DnsType::a, 172800));
    r->additional.push_back(signature("ns1." + zone, DnsType::aaaa, 172800));
  }
  return r;
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

std::vector<OfficeModel::Answer> OfficeModel::dns_over_udp(
    std::int64_t t, const Path& path, const std::vector<std::shared_ptr<DnsMessage>>& queries,
    const NameEntry& entry) {
  std::vector<Answer> answers;
  const auto client_port = static_cast<std::uint16_t>(random_.between(1024, 65535));
  const bool cached = random_.chance(0.6);
  std::int64_t when = t;
  for (const auto& q : queries) {
    std::vector<std::uint8_t> bytes;
    write_dns_message(*q, bytes);
    std::int64_t sent = when;
    // Sometimes the first try is lost upstream; the stub asks again after its timeout
    // (glibc: 5 s), same ID, and that retransmission counts again (SPEC result 1).
    if (random_.chance(0.02)) {
      udp_datagram(sent, path, true, client_port, dns_port, bytes, q);
      sent += 5 * s;
    }
    udp_datagram(sent, path, true, client_port, dns_port, std::move(bytes), q);
    const std::int64_t latency =
        cached ? random_.between(150 * us, 900 * us) : random_.between(5 * ms, 80 * ms);
    // Now and then a DNSSEC answer too big for one Ethernet frame: IPv4 fragments.
    const bool big = path.peer_ip.is_v4() && !entry.nxdomain &&
                     q->questions.front().type == DnsType::a && !entry.v4.empty() &&
                     !entry.chain.empty() && random_.chance(0.04);
    if (big) q->edns_udp_size = 4096;
    auto r = response(*q, entry, big);
    std::vector<std::uint8_t> reply;
    write_dns_message(*r, reply);
    Answer answer;
    answer.time_ns = sent + latency;
    for (const auto& record : r->answers) {
      if (record.type == DnsType::a || record.type == DnsType::aaaa) {
        answer.addresses.push_back(record.address);
      }
    }
    if (big && reply.size() + 8 > fragment_payload) {
      fragmented_udp(answer.time_ns, path, client_port, dns_port, reply, r);
      answer.time_ns += 10 * us;
    } else {
      udp_datagram(answer.time_ns, path, false, client_port, dns_port, std::move(reply), r);
    }
    answers.push_back(std::move(answer));
    when += random_.between(20 * us, 250 * us);
  }
  return answers;
}

void OfficeModel::udp_datagram(std::int64_t t, const Path& path, bool from_client,
                               std::uint16_t client_port, std::uint16_t server_port,
                               std::vector<std::uint8_t> payload,
                               std::shared_ptr<const DnsMessage> completes) {
  PacketSpec p = packet(t, PacketKind::udp, path, from_client);
  p.source_port = from_client ? client_port : server_port;
  p.destination_port = from_client ? server_port : client_port;
  p.payload = std::move(payload);
  if (completes) p.dns_completed.push_back(std::move(completes));
  schedule(std::move(p));
}

void OfficeModel::fragmented_udp(std::int64_t t, const Path& path, std::uint16_t client_port,
                                 std::uint16_t server_port,
                                 const std::vector<std::uint8_t>& payload,
                                 std::shared_ptr<const DnsMessage> completes) {
  const auto datagram =
      PacketBuilder::udp_datagram(path.peer_ip, path.client_ip, server_port, client_port, payload);
  std::vector<PacketSpec> fragments;
  const auto ip_id = static_cast<std::uint16_t>(random_.next());
  for (std::size_t offset = 0; offset < datagram.size(); offset += fragment_payload) {
    PacketSpec p = packet(t, PacketKind::ipv4_fragment, path, false);
    p.ip_id = ip_id;
    p.fragment_offset = static_cast<std::uint16_t>(offset);
    const std::size_t length = std::min(fragment_payload, datagram.size() - offset);
    p.more_fragments = offset + length < datagram.size();
    p.payload.assign(datagram.begin() + static_cast<std::ptrdiff_t>(offset),
                     datagram.begin() + static_cast<std::ptrdiff_t>(offset + length));
    fragments.push_back(std::move(p));
  }
  // Some stacks send the last fragment first (older Linux did); reassembly must not care.
  if (random_.chance(0.25)) std::reverse(fragments.begin(), fragments.end());
  // The datagram, and so the DNS message, is complete with whichever fragment comes last.
  fragments.back().dns_completed.push_back(std::move(completes));
  for (auto& fragment : fragments) {
    fragment.timestamp_ns = t;
    t += 3 * us;
    schedule(std::move(fragment));
  }
}

std::vector<OfficeModel::Answer> OfficeModel::dns_over_tcp(
    std::int64_t t, const Path& path, const std::vector<std::shared_ptr<DnsMessage>>& queries,
    const NameEntry& entry) {
  TcpState tcp;
  tcp.path = path;
  tcp.client_port = static_cast<std::uint16_t>(random_.between(32768, 60999));
  tcp.server_port = dns_port;
  const std::int64_t rtt = random_.between(150 * us, 600 * us);
  std::int64_t when = *handshake(t, tcp, rtt, false);

  // RFC 1035 4.2.2: each message is preceded by its length in two bytes.
  auto framed = [](const DnsMessage& message) {
    std::vector<std::uint8_t> bytes{0, 0};
    write_dns_message(message, bytes);
    const std::size_t length = bytes.size() - 2;
    bytes[0] = static_cast<std::uint8_t>(length >> 8);
    bytes[1] = static_cast<std::uint8_t>(length);
    return bytes;
  };
  // Queries: together in one segment (RFC 7766 6.2.1.1 pipelining) or one by one.
  if (queries.size() > 1 && random_.chance(0.5)) {
    std::vector<std::uint8_t> both;
    std::vector<std::shared_ptr<const DnsMessage>> completes;
    for (const auto& q : queries) {
      const auto bytes = framed(*q);
      both.insert(both.end(), bytes.begin(), bytes.end());
      completes.push_back(q);
    }
    when =
        segment(when + 20 * us, tcp, true, std::move(both), 0, tcp_flag::psh, std::move(completes));
  } else {
    for (const auto& q : queries) {
      when = segment(when + 20 * us, tcp, true, framed(*q), 0, tcp_flag::psh, {q});
    }
  }
  std::vector<Answer> answers;
  when += random_.between(2 * ms, 40 * ms);
  for (const auto& q : queries) {
    auto r = response(*q, entry, false);
    auto bytes = framed(*r);
    Answer answer;
    for (const auto& record : r->answers) {
      if (record.type == DnsType::a || record.type == DnsType::aaaa) {
        answer.addresses.push_back(record.address);
      }
    }
    if (random_.chance(0.35)) {
      // Split the message over two segments, sometimes right inside the length prefix.
      const std::size_t cut = random_.chance(0.3) ? 1 : 2 + random_.below(bytes.size() - 2);
      std::vector<std::uint8_t> head(bytes.begin(),
                                     bytes.begin() + static_cast<std::ptrdiff_t>(cut));
      std::vector<std::uint8_t> tail(bytes.begin() + static_cast<std::ptrdiff_t>(cut), bytes.end());
      when = segment(when, tcp, false, std::move(head), 0, 0);
      when = segment(when + random_.between(50 * us, 3 * ms), tcp, false, std::move(tail), 0,
                     tcp_flag::psh, {r});
    } else {
      when = segment(when, tcp, false, std::move(bytes), 0, tcp_flag::psh, {r});
    }
    answer.time_ns = when;
    answers.push_back(std::move(answer));
    when += random_.between(30 * us, 300 * us);
  }
  segment(when + 40 * us, tcp, true, {}, 0, 0);
  close(when + random_.between(100 * us, 2 * ms), tcp, rtt);
  return answers;
}

std::optional<std::int64_t> OfficeModel::handshake(std::int64_t t, TcpState& tcp, std::int64_t rtt,
                                                   bool allow_loss) {
  const auto isn = static_cast<std::uint32_t>(random_.next());
  // RFC 3168 6.1.1: an ECN-setup SYN carries ECE and CWR.
  const std::uint8_t syn_flags =
      tcp_flag::syn | (random_.chance(0.1) ? tcp_flag::ece | tcp_flag::cwr : 0);
  // RFC 6298 5.7: an unanswered SYN is sent again after 1 s, then after 2 s more, with the
  // same source port and sequence number.
  int tries = 1;
  bool answered = true;
  if (allow_loss && random_.chance(0.06)) {
    tries = random_.chance(0.3) ? 3 : 2;
    answered = !random_.chance(0.25);
  }
  std::int64_t when = t;
  for (int i = 0; i < tries; ++i) {
    PacketSpec syn = packet(when, PacketKind::tcp, tcp.path, true);
    syn.source_port = tcp.client_port;
    syn.destination_port = tcp.server_port;
    syn.tcp_seq = isn;
    syn.tcp_flags = syn_flags;
    syn.tcp_window = 64240;
    schedule(std::move(syn));
    if (i + 1 < tries) when += (std::int64_t{1} << i) * s;
  }
  if (!answered) return std::nullopt;
  tcp.client_seq = isn + 1;
  tcp.server_seq = static_cast<std::uint32_t>(random_.next());
  PacketSpec syn_ack = packet(when + rtt, PacketKind::tcp, tcp.path, false);
  syn_ack.source_port = tcp.server_port;
  syn_ack.destination_port = tcp.client_port;
  syn_ack.tcp_seq = tcp.server_seq++;
  syn_ack.tcp_ack = tcp.client_seq;
  syn_ack.tcp_flags = tcp_flag::syn | tcp_flag::ack;
  syn_ack.tcp_window = 65160;
  schedule(std::move(syn_ack));
  const std::int64_t ack_time = when + rtt + random_.between(20 * us, 120 * us);
  PacketSpec ack = packet(ack_time, PacketKind::tcp, tcp.path, true);
  ack.source_port = tcp.client_port;
  ack.destination_port = tcp.server_port;
  ack.tcp_seq = tcp.client_seq;
  ack.tcp_ack = tcp.server_seq;
  ack.tcp_flags = tcp_flag::ack;
  schedule(std::move(ack));
  return ack_time;
}

std::int64_t OfficeModel::segment(std::int64_t t, TcpState& tcp, bool from_client,
                                  std::vector<std::uint8_t> payload, std::uint32_t filler,
                                  std::uint8_t extra_flags,
                                  std::vector<std::shared_ptr<const DnsMessage>> completes) {
  PacketSpec p = packet(t, PacketKind::tcp, tcp.path, from_client);
  p.source_port = from_client ? tcp.client_port : tcp.server_port;
  p.destination_port = from_client ? tcp.server_port : tcp.client_port;
  std::uint32_t& seq = from_client ? tcp.client_seq : tcp.server_seq;
  p.tcp_seq = seq;
  p.tcp_ack = from_client ? tcp.server_seq : tcp.client_seq;
  p.tcp_flags = static_cast<std::uint8_t>(tcp_flag::ack | extra_flags);
  p.tcp_window = from_client ? 501 : 509;
  seq += static_cast<std::uint32_t>(payload.size()) + filler;
  p.payload = std::move(payload);
  p.filler_length = filler;
  p.dns_completed = std::move(completes);
  schedule(std::move(p));
  return t;
}

std::int64_t OfficeModel::close(std::int64_t t, TcpState& tcp, std::int64_t rtt) {
  const bool client_first = random_.chance(0.7);
  segment(t, tcp, client_first, {}, 0, tcp_flag::fin);
  (client_first ? tcp.client_seq : tcp.server_seq) += 1;  // FIN takes a sequence number
  segment(t + rtt, tcp, !client_first, {}, 0, tcp_flag::fin);
  (client_first ? tcp.server_seq : tcp.client_seq) += 1;
  segment(t + rtt + random_.between(20 * us, 200 * us), tcp, client_first, {}, 0, 0);
  return t + rtt;
}

void OfficeModel::web_connection(std::int64_t t, const Path& path, std::uint16_t port,
                                 const std::string& host) {
  TcpState tcp;
  tcp.path = path;
  tcp.client_port = static_cast<std::uint16_t>(random_.between(32768, 60999));
  tcp.server_port = port;
  const bool local = path.peer_ip.is_v4() && path.peer_ip.bytes()[0] == 192;
  const std::int64_t rtt =
      local ? random_.between(200 * us, 900 * us) : random_.between(8 * ms, 45 * ms);
  const auto established = handshake(t, tcp, rtt, true);
  if (!established) return;
  std::int64_t when = *established + random_.between(30 * us, 400 * us);

  // The server's bytes go out in MSS-sized segments, acknowledged every second one.
  auto server_sends = [&](std::int64_t at, std::uint32_t total, std::uint8_t tls_type) {
    std::uint32_t segments = 0;
    while (total > 0) {
      // Each TLS segment is one whole record of at least one byte of content.
      const std::uint32_t size = std::max(std::min(total, mss), tls_type != 0 ? 6U : 1U);
      std::vector<std::uint8_t> head;
      if (tls_type != 0) head = tls_header(tls_type, size - 5);
      const auto filler = size - static_cast<std::uint32_t>(head.size());
      total -= std::min(total, size);
      segment(at, tcp, false, std::move(head), filler, total == 0 ? tcp_flag::psh : 0);
      at += random_.between(15 * us, 150 * us);
      if (++segments % 2 == 0 || total == 0) segment(at + 40 * us, tcp, true, {}, 0, 0);
    }
    return at + 60 * us;
  };

  if (port == 80) {
    const std::string request = "GET / HTTP/1.1\r\nHost: " + host +
                                "\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) "
                                "Gecko/20100101 Firefox/128.0\r\nAccept: */*\r\n\r\n";
    segment(when, tcp, true, text_bytes(request), 0);
    when += rtt;
    const std::uint32_t body = static_cast<std::uint32_t>(random_.between(200, 6000));
    const std::string header =
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=UTF-8\r\n"
        "Content-Length: " +
        std::to_string(body) + "\r\n\r\n";
    std::uint32_t first =
        std::min<std::uint32_t>(body, mss - static_cast<std::uint32_t>(header.size()));
    segment(when, tcp, false, text_bytes(header), first, body == first ? tcp_flag::psh : 0);
    when = server_sends(when + 30 * us, body - first, 0);
    segment(when, tcp, true, {}, 0, 0);
  } else {
    // TLS 1.3: ClientHello, the server's flight, the client's Finished, then application data.
    segment(when, tcp, true, tls_header(0x16, 512), 512);
    when = server_sends(when + rtt, static_cast<std::uint32_t>(random_.between(2800, 4200)), 0x16);
    segment(when, tcp, true, tls_header(0x17, 74), 74);
    const auto request = static_cast<std::uint32_t>(random_.between(90, 700));
    segment(when + 200 * us, tcp, true, tls_header(0x17, request), request);
    when = server_sends(
        when + rtt,
        static_cast<std::uint32_t>(random_.between(300, random_.chance(0.2) ? 40000 : 9000)), 0x17);
  }
  close(when + random_.between(1 * ms, 8 * s), tcp, rtt);
}

void OfficeModel::cached_connection(std::int64_t t, const NameEntry& entry, std::uint16_t port) {
  if (entry.v4.empty()) return;
  Host& client = pick_client();
  const bool v6 = client.v6 && !entry.v6.empty() && random_.chance(0.5);
  const auto& pool = v6 ? entry.v6 : entry.v4;
  if (port == 0) port = random_.below(100) < entry.plain_http_percent ? 80 : 443;
  web_connection(t, path_to(client, pool[random_.below(pool.size())]), port, entry.name);
}

void OfficeModel::reverse_lookup(std::int64_t t) {
  const NameEntry& entry = pick_name();
  if (entry.v4.empty()) return;
  Host& client = pick_client();
  const auto& target = entry.v4[random_.below(entry.v4.size())];
  auto q = query(reverse_name(target), DnsType::ptr, false);
  auto r = std::make_shared<DnsMessage>(*q);
  r->response = true;
  r->recursion_available = true;
  DnsRecord ptr;
  ptr.owner = q->questions.front().name;
  ptr.type = DnsType::ptr;
  ptr.ttl = 3600;
  ptr.target = entry.chain.empty() ? entry.name : entry.chain.back();
  r->answers.push_back(std::move(ptr));
  const Path path = resolver_path(client, false);
  const auto port = static_cast<std::uint16_t>(random_.between(1024, 65535));
  std::vector<std::uint8_t> bytes;
  write_dns_message(*q, bytes);
  udp_datagram(t, path, true, port, dns_port, std::move(bytes), q);
  bytes.clear();
  write_dns_message(*r, bytes);
  udp_datagram(t + random_.between(300 * us, 40 * ms), path, false, port, dns_port,
               std::move(bytes), r);
}

void OfficeModel::mail_lookup(std::int64_t t) {
  Host& client = pick_client();
  auto q = query("example-office.de", DnsType::mx, true);
  auto r = std::make_shared<DnsMessage>(*q);
  r->response = true;
  r->recursion_available = true;
  DnsRecord mx;
  mx.owner = "example-office.de";
  mx.type = DnsType::mx;
  mx.ttl = 3600;
  mx.preference = 10;
  mx.target = "example-office-de.mail.protection.outlook.com";
  r->answers.push_back(std::move(mx));
  const Path path = resolver_path(client, random_.chance(0.3));
  const auto port = static_cast<std::uint16_t>(random_.between(1024, 65535));
  std::vector<std::uint8_t> bytes;
  write_dns_message(*q, bytes);
  udp_datagram(t, path, true, port, dns_port, std::move(bytes), q);
  bytes.clear();
  write_dns_message(*r, bytes);
  udp_datagram(t + random_.between(5 * ms, 60 * ms), path, false, port, dns_port, std::move(bytes),
               r);
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

void OfficeModel::mdns(std::int64_t t) {
  // RFC 6762: multicast DNS on port 5353 is not DNS on port 53 and must not count.
  Host& client = pick_client();
  const bool v6 = client.v6 && random_.chance(0.5);
  Path path = path_to(client, address(v6 ? "ff02::fb" : "224.0.0.251"));
  path.client_ip = v6 ? *client.v6 : client.v4;
  path.peer_mac = v6 ? MacAddress{0x33, 0x33, 0x00, 0x00, 0x00, 0xfb}
                     : MacAddress{0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb};
  auto q = query(random_.chance(0.5) ? "printer.local" : "nas.local", DnsType::a, false);
  q->id = 0;
  q->recursion_desired = false;
  std::vector<std::uint8_t> bytes;
  write_dns_message(*q, bytes);
  PacketSpec p = packet(t, PacketKind::udp, path, true);
  p.ttl = 255;
  p.source_port = 5353;
  p.destination_port = 5353;
  p.payload = std::move(bytes);
  schedule(std::move(p));
}

void OfficeModel::tls_stream(std::int64_t t) {
  // A connection opened before the capture began: data segments with no handshake.
  Host& client = pick_client();
  const NameEntry& entry = names_[random_.below(names_.size())];
  if (entry.v4.empty()) return;
  TcpState tcp;
  tcp.path = path_to(client, entry.v4[random_.below(entry.v4.size())]);
  tcp.client_port = static_cast<std::uint16_t>(random_.between(32768, 60999));
  tcp.server_port = 443;
  tcp.client_seq = static_cast<std::uint32_t>(random_.next());
  tcp.server_seq = static_cast<std::uint32_t>(random_.next());
  const std::int64_t rtt = random_.between(8 * ms, 45 * ms);
  const auto request = static_cast<std::uint32_t>(random_.between(60, 900));
  segment(t, tcp, true, tls_header(0x17, request), request);
  std::int64_t when = t + rtt;
  for (auto left = random_.between(1, 6); left > 0; --left) {
    const auto size = static_cast<std::uint32_t>(random_.between(100, mss));
    segment(when, tcp, false, tls_header(0x17, size - 5), size - 5);
    when += random_.between(20 * us, 2 * ms);
  }
  segment(when + 40 * us, tcp, true, {}, 0, 0);
}

}  // namespace pa::generate
