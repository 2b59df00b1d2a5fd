// The stream protocol's frame codec: the first byte is a FrameType, the rest its body. Whatever
// decodes must encode to a frame that decodes back to the same thing: re-encoding it gives the
// same bytes again.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_check.hpp"
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

void batch_round_trip(base::Bytes body) {
  stream::BatchReader reader(body);
  if (reader.failed()) return;
  struct Record {
    decode::PacketContext context;
    capture::PacketRecord record;
  };
  std::vector<Record> records;
  Record next;
  while (reader.next(next.context, next.record)) records.push_back(next);
  if (reader.failed()) return;

  stream::BatchBuilder builder(reader.lane(), reader.seq());
  for (const Record& r : records) builder.add(r.context.packet_number, r.record);
  PA_FUZZ_CHECK(builder.count() == records.size());
  const std::vector<std::uint8_t> frame = builder.take();
  stream::BatchReader again(body_of(frame, FrameType::batch));
  PA_FUZZ_CHECK(!again.failed() && again.lane() == reader.lane() && again.seq() == reader.seq());
  for (const Record& r : records) {
    PA_FUZZ_CHECK(again.next(next.context, next.record));
    PA_FUZZ_CHECK(next.context.packet_number == r.context.packet_number);
    PA_FUZZ_CHECK(next.context.timestamp_ns == r.context.timestamp_ns);
    PA_FUZZ_CHECK(next.record.timestamp_ns == r.record.timestamp_ns);
    PA_FUZZ_CHECK(next.record.original_length == r.record.original_length);
    PA_FUZZ_CHECK(next.record.link_type == r.record.link_type);
    PA_FUZZ_CHECK(next.record.interface_known == r.record.interface_known);
    PA_FUZZ_CHECK(std::equal(next.record.data.begin(), next.record.data.end(),
                             r.record.data.begin(), r.record.data.end()));
  }
  PA_FUZZ_CHECK(!again.next(next.context, next.record) && !again.failed());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto type = static_cast<FrameType>(data[0]);
  const base::Bytes body(data + 1, size - 1);
  switch (type) {
    case FrameType::hello:
      round_trip(body, type, stream::decode_hello, stream::encode_hello);
      break;
    case FrameType::hello_reply:
      round_trip(body, type, stream::decode_hello_reply, stream::encode_hello_reply);
      break;
    case FrameType::open_lane:
    case FrameType::ack_request:
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
      round_trip(body, type, stream::decode_ack, stream::encode_ack);
      break;
    default:
      break;
  }
  return 0;
}
