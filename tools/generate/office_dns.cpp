// The office model's DNS conversations: queries and answers over UDP (fragmented when big)
// and over TCP, reverse and mail lookups, multicast DNS.
#include <algorithm>
#include <array>
#include <string_view>
#include <utility>

#include "office_constants.hpp"
#include "office_model.hpp"
#include "packet_builder.hpp"

namespace pa::generate {

using namespace office;

namespace {

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

}  // namespace pa::generate
