#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <unordered_map>
#include <vector>

#include "base/byte_reader.hpp"
#include "base/ip_address.hpp"
#include "decode/packet_events.hpp"

namespace pa::reassembly {

// One direction of a TCP connection: the sender's address and port, then the receiver's.
struct StreamKey {
  base::IpAddress source;
  base::IpAddress destination;
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;

  [[nodiscard]] StreamKey reversed() const noexcept {
    return {destination, source, destination_port, source_port};
  }
  bool operator==(const StreamKey&) const = default;
};

struct StreamKeyHash {
  std::size_t operator()(const StreamKey& key) const noexcept;
};

// The parts of a decoded TCP segment the stream needs; `payload` is borrowed for the call.
struct TcpSegment {
  StreamKey key;
  std::uint32_t sequence_number = 0;
  std::uint8_t flags = 0;  // decode::tcp_flag bits
  base::Bytes payload;
  bool payload_cut = false;                 // the snap length cut the segment's data short
  std::uint32_t acknowledgment_number = 0;  // meaningful when flags has ACK
};

struct StreamCounters {
  std::uint64_t messages_delivered = 0;
  std::uint64_t gaps = 0;         // tcp_stream_gap
  std::uint64_t evicted = 0;      // tcp_stream_evicted
  std::uint64_t idle_closed = 0;  // closed for idleness with nothing pending
  std::size_t directions_open = 0;
  std::size_t bytes_buffered = 0;
};

// Rebuilds the byte stream of each direction of DNS-over-TCP connections and cuts it into
// messages at their 2-byte length prefixes (RFC 1035 4.2.2, RFC 7766 8), delivering each whole
// message through PacketEvents::on_dns_message in the context of the packet that completed it.
//
// - A direction starts at its SYN's sequence number + 1 (the SYN may carry data: TCP Fast
//   Open, RFC 7413), or, when the capture began mid-connection, at its first data segment.
// - Bytes already delivered are never delivered again (retransmissions, overlaps). Segments
//   ahead of the stream wait in a small queue.
// - Bytes are missing for good when the other side acknowledged them without the capture
//   holding them, when the queue is full, or when the snap length cut a segment. Then
//   tcp_stream_gap is counted once, the unfinished message is dropped, and the stream
//   resynchronises: at the first held segment after the gap, or else at the next data segment,
//   whose first bytes are taken as a length prefix (as when the capture starts mid-connection).
//   A connection reset or gone idle with bytes missing or a message unfinished counts a gap too.
// - FIN finishes a direction once every byte before it was delivered (what comes after it in
//   that direction is ignored until a new SYN); RST closes both directions.
// - Memory is bounded whatever the input: per direction at most one unfinished message
//   (65,535 + 2 bytes) plus a queue of at most max_held_segments segments and
//   max_held_bytes bytes; at most max_directions directions and max_total_bytes bytes in all,
//   the least recently active direction giving way (tcp_stream_evicted).
class TcpStreamReassembler {
 public:
  static constexpr std::size_t max_message_bytes = 65535 + 2;
  static constexpr std::size_t max_held_segments = 16;
  static constexpr std::size_t max_held_bytes = 65535 + 2;
  static constexpr std::size_t max_directions = 4096;
  static constexpr std::size_t max_total_bytes = std::size_t{64} << 20;
  // RFC 7766 6.2.3 asks servers to close idle connections after seconds; two minutes of
  // capture time without a segment means the rest of the connection is not in the capture.
  static constexpr std::int64_t max_idle_ns = 120'000'000'000;

  // Takes one segment of a connection with port 53 on either side.
  void add(const decode::PacketContext& packet, const TcpSegment& segment,
           decode::PacketEvents& events) noexcept;

  // End of input: directions with bytes missing or a message unfinished count as gaps.
  void finish(const decode::PacketContext& packet, decode::PacketEvents& events) noexcept;

  [[nodiscard]] StreamCounters counters() const noexcept;

 private:
  struct HeldSegment {
    std::uint32_t sequence_number = 0;
    std::vector<std::uint8_t> bytes;
  };
  struct Direction {
    StreamKey key;
    std::int64_t last_seen_ns = 0;
    std::uint32_t initial_sequence = 0;  // the SYN's, when one was seen
    bool syn_seen = false;
    std::uint32_t next_sequence = 0;  // the next byte the stream needs
    // Bytes went missing and no segment after them is held yet: the next data segment
    // starts the stream again, its first bytes taken as a length prefix.
    bool resync = false;
    // Every byte up to the FIN came: the direction stays known, empty, so that segments sent
    // again after it (a retransmitted last response) are not taken for a new stream.
    bool finished = false;
    bool fin_seen = false;
    std::uint32_t fin_sequence = 0;
    std::vector<std::uint8_t> message;  // the start of a message not yet whole
    std::vector<HeldSegment> held;      // out of order, waiting for the bytes before them
    std::size_t held_bytes = 0;
    [[nodiscard]] std::size_t buffered() const noexcept { return message.size() + held_bytes; }
    [[nodiscard]] bool incomplete() const noexcept {
      return !message.empty() || !held.empty() ||
             (fin_seen && static_cast<std::int32_t>(fin_sequence - next_sequence) > 0);
    }
  };
  using DirectionList = std::list<Direction>;

  DirectionList::iterator open(const StreamKey& key, const decode::PacketContext& packet,
                               decode::PacketEvents& events);
  void close(DirectionList::iterator it, const decode::PacketContext& packet,
             decode::PacketEvents& events, bool report_incomplete) noexcept;
  void skip_gap(Direction& direction, std::uint32_t resume_at, bool resume_known,
                const decode::PacketContext& packet, decode::PacketEvents& events);
  void drain(Direction& direction, const decode::PacketContext& packet,
             decode::PacketEvents& events);
  void acknowledged(Direction& direction, std::uint32_t acknowledgment,
                    const decode::PacketContext& packet, decode::PacketEvents& events);
  void expire(const decode::PacketContext& packet, decode::PacketEvents& events) noexcept;
  void evict_oldest(const decode::PacketContext& packet, decode::PacketEvents& events) noexcept;
  void finish_if_complete(Direction& direction, const decode::PacketContext& packet,
                          decode::PacketEvents& events) noexcept;
  void accept(Direction& direction, std::uint32_t sequence, base::Bytes data,
              const decode::PacketContext& packet, decode::PacketEvents& events);
  void append(Direction& direction, base::Bytes data, const decode::PacketContext& packet,
              decode::PacketEvents& events);
  void frame(Direction& direction, base::Bytes data, const decode::PacketContext& packet,
             decode::PacketEvents& events);
  void release(Direction& direction) noexcept;

  DirectionList directions_;  // least recently active first
  std::unordered_map<StreamKey, DirectionList::iterator, StreamKeyHash> index_;
  std::size_t total_bytes_ = 0;
  StreamCounters counters_;
};

}  // namespace pa::reassembly
