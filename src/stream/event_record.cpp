#include "stream/event_record.hpp"

#include "stream/wire_address.hpp"

namespace pa::stream {

namespace {

enum class EventType : std::uint8_t { tcp_segment = 1, dns_message = 2, drop = 3 };

}  // namespace

void EventRecorder::put(std::uint64_t value, std::size_t width) {
  for (std::size_t i = width; i-- > 0;) {
    bytes_.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
  }
}

void EventRecorder::on_tcp_segment(const decode::PacketContext&,
                                   const decode::TcpSegmentHeader& segment) {
  put(static_cast<std::uint8_t>(EventType::tcp_segment), 1);
  append_address(bytes_, segment.source);
  append_address(bytes_, segment.destination);
  put(segment.source_port, 2);
  put(segment.destination_port, 2);
  put(segment.flags, 1);
}

void EventRecorder::on_dns_message(const decode::PacketContext&,
                                   std::span<const std::uint8_t> message,
                                   decode::DnsTransport transport, bool cut_by_capture) {
  put(static_cast<std::uint8_t>(EventType::dns_message), 1);
  put(transport == decode::DnsTransport::tcp ? 1 : 0, 1);
  put(cut_by_capture ? 1 : 0, 1);
  put(message.size(), 4);
  bytes_.insert(bytes_.end(), message.begin(), message.end());
}

void EventRecorder::on_drop(const decode::PacketContext&, base::Drop reason) {
  put(static_cast<std::uint8_t>(EventType::drop), 1);
  put(static_cast<std::uint16_t>(reason), 2);
}

bool replay_events(base::Bytes record, const decode::PacketContext& packet,
                   decode::PacketEvents& events) noexcept {
  base::ByteReader reader(record);
  while (reader.remaining() != 0) {
    switch (static_cast<EventType>(reader.u8())) {
      case EventType::tcp_segment: {
        decode::TcpSegmentHeader segment;
        const auto source = read_address(reader);
        const auto destination = read_address(reader);
        segment.source_port = reader.u16();
        segment.destination_port = reader.u16();
        segment.flags = reader.u8();
        if (!source || !destination || reader.failed()) return false;
        segment.source = *source;
        segment.destination = *destination;
        events.on_tcp_segment(packet, segment);
        break;
      }
      case EventType::dns_message: {
        const std::uint8_t transport = reader.u8();
        const std::uint8_t cut = reader.u8();
        const std::uint32_t length = reader.u32();
        const base::Bytes message = reader.bytes(length);
        // Reassembly gives no longer message: a TCP one has a 16-bit length prefix, a UDP one
        // fits an IP datagram.
        if (reader.failed() || transport > 1 || cut > 1 || length > 65535) return false;
        events.on_dns_message(
            packet, message, transport == 1 ? decode::DnsTransport::tcp : decode::DnsTransport::udp,
            cut == 1);
        break;
      }
      case EventType::drop: {
        const std::uint16_t reason = reader.u16();
        if (reader.failed() || reason >= base::drop_reason_count) return false;
        events.on_drop(packet, static_cast<base::Drop>(reason));
        break;
      }
      default:
        return false;
    }
  }
  return true;
}

}  // namespace pa::stream
