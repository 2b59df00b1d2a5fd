#include "reassembly/tcp_stream_reassembler.hpp"

#include <algorithm>

#include "reassembly/capture_clock.hpp"

namespace pa::reassembly {

using base::Drop;
using decode::DnsTransport;
namespace tcp_flag = decode::tcp_flag;

namespace {

// Sequence numbers wrap (RFC 9293 3.4): compare them by their signed distance.
constexpr std::int32_t distance(std::uint32_t from, std::uint32_t to) noexcept {
  return static_cast<std::int32_t>(to - from);
}

constexpr std::size_t message_length(const std::vector<std::uint8_t>& message) noexcept {
  return (std::size_t{message[0]} << 8) | message[1];
}

// Unfinished messages are usually small; a buffer that grew for a big one is given back.
constexpr std::size_t kept_capacity = 4096;

}  // namespace

std::size_t StreamKeyHash::operator()(const StreamKey& key) const noexcept {
  std::size_t h = key.source.hash();
  h = h * 31 + key.destination.hash();
  return h * 31 + ((std::size_t{key.source_port} << 16) | key.destination_port);
}

void TcpStreamReassembler::release(Direction& direction) noexcept {
  total_bytes_ -= direction.buffered();
  if (direction.message.capacity() > kept_capacity) {
    std::vector<std::uint8_t>().swap(direction.message);
  } else {
    direction.message.clear();
  }
  direction.held.clear();
  direction.held_bytes = 0;
}

void TcpStreamReassembler::close(DirectionList::iterator it, const decode::PacketContext& packet,
                                 decode::PacketEvents& events, bool report_incomplete) noexcept {
  if (report_incomplete && !it->resync && it->incomplete()) {
    ++counters_.gaps;
    events.on_drop(packet, Drop::tcp_stream_gap);
  }
  release(*it);
  index_.erase(it->key);
  directions_.erase(it);
}

void TcpStreamReassembler::skip_gap(Direction& direction, std::uint32_t resume_at,
                                    bool resume_known, const decode::PacketContext& packet,
                                    decode::PacketEvents& events) {
  if (!direction.resync) {
    ++counters_.gaps;
    events.on_drop(packet, Drop::tcp_stream_gap);
  }
  total_bytes_ -= direction.message.size();
  direction.message.clear();
  // The earliest held segment after the gap is where the stream goes on, if it comes first.
  for (const HeldSegment& held : direction.held) {
    if (!resume_known || distance(resume_at, held.sequence_number) < 0) {
      resume_at = held.sequence_number;
      resume_known = true;
    }
  }
  direction.resync = !resume_known;
  if (resume_known) {
    direction.next_sequence = resume_at;
    drain(direction, packet, events);
  }
}

void TcpStreamReassembler::acknowledged(Direction& direction, std::uint32_t acknowledgment,
                                        const decode::PacketContext& packet,
                                        decode::PacketEvents& events) {
  // The receiver has bytes the capture never showed. One byte more than the stream is the
  // FIN's sequence number, not data.
  if (direction.finished || distance(direction.next_sequence, acknowledgment) <= 1) return;
  if (direction.fin_seen && distance(direction.fin_sequence, acknowledgment) > 1) return;
  skip_gap(direction, acknowledgment, true, packet, events);
}

void TcpStreamReassembler::expire(const decode::PacketContext& packet,
                                  decode::PacketEvents& events) noexcept {
  while (!directions_.empty() &&
         later_by_more_than(packet.timestamp_ns, directions_.front().last_seen_ns, max_idle_ns)) {
    if (directions_.front().resync || !directions_.front().incomplete()) ++counters_.idle_closed;
    close(directions_.begin(), packet, events, true);
  }
}

void TcpStreamReassembler::evict_oldest(const decode::PacketContext& packet,
                                        decode::PacketEvents& events) noexcept {
  // A finished direction gives nothing up.
  if (!directions_.front().finished) {
    ++counters_.evicted;
    events.on_drop(packet, Drop::tcp_stream_evicted);
  }
  close(directions_.begin(), packet, events, false);
}

void TcpStreamReassembler::finish_if_complete(Direction& direction,
                                              const decode::PacketContext& packet,
                                              decode::PacketEvents& events) noexcept {
  if (direction.finished || !direction.fin_seen ||
      distance(direction.next_sequence, direction.fin_sequence) > 0) {
    return;
  }
  if (!direction.resync && direction.incomplete()) {
    ++counters_.gaps;  // the connection ended inside a message
    events.on_drop(packet, Drop::tcp_stream_gap);
  }
  release(direction);
  direction.finished = true;
  direction.resync = false;
}

TcpStreamReassembler::DirectionList::iterator TcpStreamReassembler::open(
    const StreamKey& key, const decode::PacketContext& packet, decode::PacketEvents& events) {
  if (index_.size() >= max_directions) evict_oldest(packet, events);
  directions_.push_back(Direction{});
  const auto it = std::prev(directions_.end());
  it->key = key;
  index_.emplace(key, it);
  return it;
}

void TcpStreamReassembler::frame(Direction& direction, base::Bytes data,
                                 const decode::PacketContext& packet,
                                 decode::PacketEvents& events) {
  auto& message = direction.message;
  while (!data.empty()) {
    // Whole messages inside the segment go out without a copy.
    if (message.empty() && data.size() >= 2) {
      const std::size_t length = (std::size_t{data[0]} << 8) | data[1];
      if (data.size() - 2 >= length) {
        ++counters_.messages_delivered;
        events.on_dns_message(packet, data.subspan(2, length), DnsTransport::tcp, false);
        data = data.subspan(2 + length);
        continue;
      }
    }
    // Otherwise gather the length prefix, then the rest of the message; never more than one
    // message's worth, whatever the prefix says.
    const std::size_t wanted =
        message.size() < 2 ? 2 - message.size() : 2 + message_length(message) - message.size();
    const std::size_t taken = std::min(wanted, data.size());
    message.insert(message.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(taken));
    total_bytes_ += taken;
    data = data.subspan(taken);
    if (message.size() >= 2 && message.size() == 2 + message_length(message)) {
      ++counters_.messages_delivered;
      events.on_dns_message(packet, base::Bytes(message).subspan(2), DnsTransport::tcp, false);
      total_bytes_ -= message.size();
      if (message.capacity() > kept_capacity) {
        std::vector<std::uint8_t>().swap(message);
      } else {
        message.clear();
      }
    }
  }
}

void TcpStreamReassembler::append(Direction& direction, base::Bytes data,
                                  const decode::PacketContext& packet,
                                  decode::PacketEvents& events) {
  frame(direction, data, packet, events);
  direction.next_sequence += static_cast<std::uint32_t>(data.size());
}

void TcpStreamReassembler::drain(Direction& direction, const decode::PacketContext& packet,
                                 decode::PacketEvents& events) {
  for (bool moved = true; moved && !direction.held.empty();) {
    moved = false;
    for (auto it = direction.held.begin(); it != direction.held.end(); ++it) {
      const std::int32_t ahead = distance(direction.next_sequence, it->sequence_number);
      if (ahead > 0) continue;
      HeldSegment segment = std::move(*it);
      direction.held.erase(it);
      direction.held_bytes -= segment.bytes.size();
      total_bytes_ -= segment.bytes.size();
      const auto already = static_cast<std::size_t>(-static_cast<std::int64_t>(ahead));
      if (already < segment.bytes.size()) {
        append(direction, base::Bytes(segment.bytes).subspan(already), packet, events);
      }
      moved = true;
      break;
    }
  }
}

void TcpStreamReassembler::accept(Direction& direction, std::uint32_t sequence, base::Bytes data,
                                  const decode::PacketContext& packet,
                                  decode::PacketEvents& events) {
  if (data.empty()) return;
  if (direction.resync) {
    if (distance(direction.next_sequence, sequence) < 0) return;  // from before the gap
    direction.resync = false;
    direction.next_sequence = sequence;
  }
  for (;;) {
    const std::int32_t ahead = distance(direction.next_sequence, sequence);
    if (ahead <= 0) break;
    if (direction.held.size() < max_held_segments &&
        data.size() <= max_held_bytes - direction.held_bytes) {
      direction.held.push_back(HeldSegment{sequence, {data.begin(), data.end()}});
      direction.held_bytes += data.size();
      total_bytes_ += data.size();
      return;
    }
    // No room to wait longer for the missing bytes: go on after them. Each pass takes at
    // least one held segment, so this ends.
    skip_gap(direction, sequence, true, packet, events);
  }
  const auto already = static_cast<std::size_t>(
      -static_cast<std::int64_t>(distance(direction.next_sequence, sequence)));
  if (already >= data.size()) return;  // a retransmission: every byte was delivered
  append(direction, data.subspan(already), packet, events);
  drain(direction, packet, events);
}

void TcpStreamReassembler::add(const decode::PacketContext& packet, const TcpSegment& segment,
                               decode::PacketEvents& events) noexcept {
  expire(packet, events);
  const bool syn = (segment.flags & tcp_flag::syn) != 0;
  const auto found = index_.find(segment.key);

  if ((segment.flags & tcp_flag::rst) != 0) {
    // RFC 9293 3.10.7.4: a reset ends both directions at once.
    if (found != index_.end()) close(found->second, packet, events, true);
    const auto reverse = index_.find(segment.key.reversed());
    if (reverse != index_.end()) close(reverse->second, packet, events, true);
    return;
  }

  // The SYN takes one sequence number; its data (TCP Fast Open) starts after it.
  const std::uint32_t data_sequence = segment.sequence_number + (syn ? 1u : 0u);
  DirectionList::iterator it;
  if (syn) {
    if (found != index_.end() && found->second->syn_seen &&
        found->second->initial_sequence == segment.sequence_number) {
      it = found->second;  // a retransmitted SYN
    } else {
      if (found != index_.end()) close(found->second, packet, events, true);
      it = open(segment.key, packet, events);
      it->syn_seen = true;
      it->initial_sequence = segment.sequence_number;
      it->next_sequence = data_sequence;
    }
  } else if (found != index_.end()) {
    it = found->second;
  } else {
    if (segment.payload.empty()) return;  // nothing to start a stream with
    it = open(segment.key, packet, events);
    it->next_sequence = data_sequence;
  }
  it->last_seen_ns = packet.timestamp_ns;
  directions_.splice(directions_.end(), directions_, it);

  Direction& direction = *it;
  if (direction.finished) return;  // sent again after the FIN, or an ACK
  accept(direction, data_sequence, segment.payload, packet, events);
  // The bytes the snap length removed are missing for good; the stream goes on at the next
  // segment after them.
  if (segment.payload_cut) skip_gap(direction, 0, false, packet, events);
  if ((segment.flags & tcp_flag::fin) != 0 && !direction.fin_seen) {
    direction.fin_seen = true;
    direction.fin_sequence = data_sequence + static_cast<std::uint32_t>(segment.payload.size());
  }
  finish_if_complete(direction, packet, events);

  // What this side acknowledged tells whether the other direction lost bytes for good.
  if ((segment.flags & tcp_flag::ack) != 0) {
    const auto reverse = index_.find(segment.key.reversed());
    if (reverse != index_.end()) {
      acknowledged(*reverse->second, segment.acknowledgment_number, packet, events);
      finish_if_complete(*reverse->second, packet, events);
    }
  }

  // The byte limit over all directions: the least recently active give way.
  while (total_bytes_ > max_total_bytes && !directions_.empty() &&
         directions_.begin()->key != segment.key) {
    evict_oldest(packet, events);
  }
}

void TcpStreamReassembler::finish(const decode::PacketContext& packet,
                                  decode::PacketEvents& events) noexcept {
  while (!directions_.empty()) close(directions_.begin(), packet, events, true);
}

StreamCounters TcpStreamReassembler::counters() const noexcept {
  StreamCounters counters = counters_;
  counters.directions_open = directions_.size();
  counters.bytes_buffered = total_bytes_;
  return counters;
}

}  // namespace pa::reassembly
