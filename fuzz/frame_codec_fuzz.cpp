// The stream protocol's frame codec: the first byte is a FrameType, the rest its body. Whatever
// decodes must encode to a frame that decodes back to the same thing: re-encoding it gives the
// same bytes again.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "counting_events.hpp"
#include "fuzz_check.hpp"
#include "stream/event_record.hpp"
#include "stream/frame_codec.hpp"

namespace {

using namespace pa;
using stream::FrameType;

// A frame's body: what follows its length prefix and type byte.
base::Bytes body_of(const std::vector<std::uint8_t>& frame, FrameType type) {
  PA_FUZZ_CHECK(frame.size() > stream::frame_prefix_bytes);
  const std::uint32_t length = std::uint32_t{frame[0]} << 24 | std::uint32_t{frame[1]} << 16 |
                               std::uint32_t{frame[2]} << 8 | frame[3];
  PA_FUZZ_CHECK(length == frame.size() - stream::frame_prefix_bytes);
  PA_FUZZ_CHECK(!stream::check_frame_length(length).has_value());
  PA_FUZZ_CHECK(frame[stream::frame_prefix_bytes] == static_cast<std::uint8_t>(type));
  return base::Bytes(frame).subspan(stream::frame_prefix_bytes + 1);
}

// Decodes a body, encodes what came out, decodes and encodes again: both encodings must agree.
template <typename Decode, typename Encode>
void round_trip(base::Bytes body, FrameType type, Decode decode, Encode encode) {
  const auto decoded = decode(body);
  if (!decoded) return;
  const std::vector<std::uint8_t> frame = encode(*decoded);
  const auto again = decode(body_of(frame, type));
  PA_FUZZ_CHECK(again.has_value());
  PA_FUZZ_CHECK(encode(*again) == frame);
}

// Decodes a batch, builds it again from what came out, and decodes that: the same entries.
// Events entries are replayed too, as a consumer would. Of a record only its length and the
// bytes that can travel (max_record_bytes_on_wire) are compared: the rest of a record sent
// without its tail is whatever the scratch holds, and is never read, here either (a record
// may announce 64 MiB).
void batch_round_trip(base::Bytes body) {
  stream::RecordScratch scratch;
  stream::BatchReader first(body, scratch);
  if (first.failed()) return;
  struct Entry {
    stream::BatchEntry entry;
    std::size_t size = 0;
    std::vector<std::uint8_t> start;  // a record's bytes may live in the reader's scratch
  };
  const auto start_of = [](const stream::BatchEntry& entry) {
    return entry.is_events ? entry.event_record
                           : entry.record.data.first(std::min(entry.record.data.size(),
                                                              stream::max_record_bytes_on_wire));
  };
  std::vector<Entry> entries;
  Entry next;
  fuzz::CountingEvents counting;
  while (first.next(next.entry)) {
    const base::Bytes start = start_of(next.entry);
    next.size = next.entry.is_events ? start.size() : next.entry.record.data.size();
    next.start.assign(start.begin(), start.end());
    entries.push_back(next);
    if (next.entry.is_events) (void)stream::replay_events(start, next.entry.packet, counting);
  }
  if (first.failed()) return;

  stream::BatchBuilder builder(first.lane(), first.seq());
  stream::RecordScratch rebuilt;
  for (Entry& e : entries) {
    if (e.entry.is_events) {
      builder.add_events(e.entry.packet, e.start);
    } else {
      e.entry.record.data = rebuilt.rebuild(e.start, static_cast<std::uint32_t>(e.size));
      builder.add(e.entry.packet.packet_number, e.entry.record, e.start.size());
    }
  }
  PA_FUZZ_CHECK(builder.count() == entries.size());
  const std::vector<std::uint8_t> frame = builder.take();
  stream::BatchReader again(body_of(frame, FrameType::batch), scratch);
  PA_FUZZ_CHECK(!again.failed() && again.lane() == first.lane() && again.seq() == first.seq());
  for (const Entry& e : entries) {
    PA_FUZZ_CHECK(again.next(next.entry));
    PA_FUZZ_CHECK(next.entry.is_events == e.entry.is_events);
    PA_FUZZ_CHECK(next.entry.packet.packet_number == e.entry.packet.packet_number);
    PA_FUZZ_CHECK(next.entry.packet.timestamp_ns == e.entry.packet.timestamp_ns);
    const base::Bytes start = start_of(next.entry);
    PA_FUZZ_CHECK(std::equal(start.begin(), start.end(), e.start.begin(), e.start.end()));
    if (e.entry.is_events) continue;
    PA_FUZZ_CHECK(next.entry.record.data.size() == e.size);
    PA_FUZZ_CHECK(next.entry.record.timestamp_ns == e.entry.record.timestamp_ns);
    PA_FUZZ_CHECK(next.entry.record.original_length == e.entry.record.original_length);
    PA_FUZZ_CHECK(next.entry.record.link_type == e.entry.record.link_type);
    PA_FUZZ_CHECK(next.entry.record.interface_known == e.entry.record.interface_known);
  }
  PA_FUZZ_CHECK(!again.next(next.entry) && !again.failed());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto type = static_cast<FrameType>(data[0]);
  const base::Bytes body(data + 1, size - 1);
  switch (type) {
    case FrameType::hello:
      round_trip(body, type, stream::decode_hello,
                 [](const stream::Hello& hello) { return stream::encode_hello(hello); });
      break;
    case FrameType::hello_reply:
      round_trip(body, type, stream::decode_hello_reply,
                 [](const stream::HelloReply& reply) { return stream::encode_hello_reply(reply); });
      break;
    case FrameType::open_lane:
      round_trip(body, type, stream::decode_lane_frame,
                 [type](std::uint32_t lane) { return stream::encode_lane_frame(type, lane); });
      break;
    case FrameType::batch:
      batch_round_trip(body);
      break;
    case FrameType::finish_lane:
      round_trip(body, type, stream::decode_finish_lane, stream::encode_finish_lane);
      break;
    case FrameType::bye:
      PA_FUZZ_CHECK(body_of(stream::encode_bye(), type).empty());
      break;
    case FrameType::ack:
      round_trip(body, type, stream::decode_ack,
                 [](const stream::Ack& ack) { return stream::encode_ack(ack); });
      break;
    default:
      break;
  }
  return 0;
}
