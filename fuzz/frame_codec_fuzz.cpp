// The stream protocol's frame codec: the first byte is a FrameType, the rest its body. Whatever
// decodes must encode to a frame that decodes back to the same thing: re-encoding it gives the
// same bytes again.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <type_traits>
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

// A reader that rebuilds records it was sent only the start of takes a scratch buffer; one that
// was sent whole records does not. Both forms are accepted, so the target follows the codec.
template <typename Reader>
struct BatchReading {
  std::vector<std::uint8_t> scratch;
  Reader reader;
  explicit BatchReading(base::Bytes body) requires std::is_constructible_v < Reader, base::Bytes,
      std::vector<std::uint8_t>
  & > : reader(body, scratch) {}
  explicit BatchReading(base::Bytes body) requires std::is_constructible_v<Reader, base::Bytes>
      : reader(body) {}
};

template <typename Builder>
void add_whole(Builder& builder, std::uint64_t packet_number, const capture::PacketRecord& record) {
  if constexpr (requires { builder.add(packet_number, record, record.data.size()); }) {
    builder.add(packet_number, record, record.data.size());
  } else {
    builder.add(packet_number, record);
  }
}

// Decodes a batch, builds it again from what came out, and decodes that: the same records.
template <typename Reader = stream::BatchReader, typename Builder = stream::BatchBuilder>
void batch_round_trip(base::Bytes body) {
  BatchReading<Reader> first(body);
  if (first.reader.failed()) return;
  struct Record {
    decode::PacketContext context;
    capture::PacketRecord record;
    std::vector<std::uint8_t> data;  // the record's bytes may live in the reader's scratch
  };
  std::vector<Record> records;
  Record next;
  while (first.reader.next(next.context, next.record)) {
    next.data.assign(next.record.data.begin(), next.record.data.end());
    records.push_back(next);
  }
  if (first.reader.failed()) return;

  Builder builder(first.reader.lane(), first.reader.seq());
  for (Record& r : records) {
    r.record.data = r.data;
    add_whole(builder, r.context.packet_number, r.record);
  }
  PA_FUZZ_CHECK(builder.count() == records.size());
  const std::vector<std::uint8_t> frame = builder.take();
  BatchReading<Reader> again(body_of(frame, FrameType::batch));
  PA_FUZZ_CHECK(!again.reader.failed() && again.reader.lane() == first.reader.lane() &&
                again.reader.seq() == first.reader.seq());
  for (const Record& r : records) {
    PA_FUZZ_CHECK(again.reader.next(next.context, next.record));
    PA_FUZZ_CHECK(next.context.packet_number == r.context.packet_number);
    PA_FUZZ_CHECK(next.context.timestamp_ns == r.context.timestamp_ns);
    PA_FUZZ_CHECK(next.record.timestamp_ns == r.record.timestamp_ns);
    PA_FUZZ_CHECK(next.record.original_length == r.record.original_length);
    PA_FUZZ_CHECK(next.record.link_type == r.record.link_type);
    PA_FUZZ_CHECK(next.record.interface_known == r.record.interface_known);
    PA_FUZZ_CHECK(
        std::equal(next.record.data.begin(), next.record.data.end(), r.data.begin(), r.data.end()));
  }
  PA_FUZZ_CHECK(!again.reader.next(next.context, next.record) && !again.reader.failed());
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
