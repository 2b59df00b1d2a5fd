// The office model's TCP conversations: handshakes, HTTP and TLS exchanges, closes.
#include <algorithm>
#include <string_view>
#include <utility>

#include "office_constants.hpp"
#include "office_model.hpp"

namespace pa::generate {

using namespace office;

namespace {

std::vector<std::uint8_t> text_bytes(std::string_view text) { return {text.begin(), text.end()}; }

// RFC 5246 6.2.1: a TLS record header before `length` bytes of (here random) content.
std::vector<std::uint8_t> tls_header(std::uint8_t content_type, std::uint32_t length) {
  return {content_type, 0x03, 0x03, static_cast<std::uint8_t>(length >> 8),
          static_cast<std::uint8_t>(length)};
}

}  // namespace

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
