#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analysis/analyzer.hpp"
#include "analysis/partial_result.hpp"
#include "base/byte_reader.hpp"
#include "capture/packet_record.hpp"
#include "stream/frame_auth.hpp"

// The stream protocol's frames (docs/stream-protocol.md). Every frame is a 32-bit big-endian
// length, then that many bytes: a one-byte FrameType and its body. Numbers are big-endian.
namespace pa::stream {

inline constexpr std::uint32_t protocol_magic = 0x50415354;  // "PAST"
// 2: reassembly moved to the provider; batches carry events records.
// 3: nonces and MACs (hello, hello reply, acknowledgements); the hello announces the lanes.
// 4: acknowledgements carry the timeline of queries and connection attempts.
inline constexpr std::uint16_t protocol_version = 4;
// The most lanes a run has (-c COUNT at most): a consumer opens no lane beyond what the hello
// announced, and the hello announces no more than this.
inline constexpr std::uint32_t max_lanes = 4096;
// Checked on the length prefix, before any buffer is sized for the frame.
inline constexpr std::uint32_t max_frame_bytes = std::uint32_t{16} << 20;
// At most this many bytes of a record travel; its captured length always does. No IPv4 or
// IPv6 packet the analysis reads is longer than 64 KiB plus link headers, so what is not sent
// is never read.
inline constexpr std::size_t max_record_bytes_on_wire = std::size_t{1} << 20;
// The longest record a batch may announce (the capture readers' own limit).
inline constexpr std::uint32_t max_captured_length = std::uint32_t{64} << 20;
inline constexpr std::size_t frame_prefix_bytes = 4;

// What a batch entry holds, in its kind byte.
namespace entry_kind {
inline constexpr std::uint8_t packet_unknown_interface = 0;
inline constexpr std::uint8_t packet = 1;
inline constexpr std::uint8_t event_record = 2;
}  // namespace entry_kind

enum class FrameType : std::uint8_t {
  hello = 1,        // provider -> consumer: version, window, analysis options
  hello_reply = 2,  // consumer -> provider: version
  open_lane = 3,    // provider -> consumer: start a lane's state afresh
  batch = 4,        // provider -> consumer: records of one lane
  finish_lane = 5,  // provider -> consumer: no more records for the lane
  bye = 7,          // provider -> consumer: the run is over
  ack = 8,          // consumer -> provider: batches done, with the result delta
};

// Why a frame length is refused, or nullopt when it is acceptable.
std::optional<std::string> check_frame_length(std::uint32_t length);

// Builds one frame: the length prefix is filled in by take().
class FrameWriter {
 public:
  explicit FrameWriter(FrameType type, std::size_t expected_bytes = 0);
  void u8(std::uint8_t value) { bytes_.push_back(value); }
  void u16(std::uint16_t value) { big_endian(value, 2); }
  void u32(std::uint32_t value) { big_endian(value, 4); }
  void u64(std::uint64_t value) { big_endian(value, 8); }
  void i64(std::int64_t value) { u64(static_cast<std::uint64_t>(value)); }
  void bytes(base::Bytes data) { bytes_.insert(bytes_.end(), data.begin(), data.end()); }
  void address(const base::IpAddress& address);
  void text(const std::string& value);  // u16 length, then the bytes
  [[nodiscard]] std::size_t size() const noexcept { return bytes_.size(); }
  [[nodiscard]] std::vector<std::uint8_t> take();

 private:
  void big_endian(std::uint64_t value, std::size_t width) {
    const std::size_t at = bytes_.size();
    bytes_.resize(at + width);
    for (std::size_t i = width; i-- > 0;) {
      bytes_[at + i] = static_cast<std::uint8_t>(value);
      value >>= 8;
    }
  }

  std::vector<std::uint8_t> bytes_;
};

struct Hello {
  std::uint16_t version = protocol_version;
  std::uint16_t window = 0;  // unacknowledged batches per lane the provider allows
  analysis::AnalysisOptions options;
  std::uint32_t lanes = 1;     // lanes of the run: lane numbers are below it
  bool authenticated = false;  // the provider has a secret and checks every MAC
  Nonce nonce{};
  Mac mac{};  // ChannelAuth::hello_mac over the fields before it
};

struct HelloReply {
  std::uint16_t version = protocol_version;
  Nonce nonce{};
  Mac mac{};  // ChannelAuth::reply_mac over the fields before it
};

struct Ack {
  static constexpr std::uint8_t final = 2;  // the lane's finish was processed

  std::uint32_t lane = 0;
  std::uint64_t seq = 0;
  std::uint8_t flags = 0;
  analysis::PartialResult delta;
  Mac mac{};  // ChannelAuth::ack_mac over the fields before it
};

struct FinishLane {
  std::uint32_t lane = 0;
  std::uint64_t seq = 0;  // the sequence number its Ack carries
  decode::PacketContext last;
};

// Room to rebuild a record of any captured length a batch may announce: the bytes that
// travelled are copied to its start, the rest is never read. The room is reserved address
// space (max_captured_length bytes, mapped on first use, never written beyond what travelled),
// so only the pages written count as memory: a peer announcing the longest record costs what
// one sending 1 MiB costs.
class RecordScratch {
 public:
  RecordScratch() noexcept = default;
  RecordScratch(const RecordScratch&) = delete;
  RecordScratch& operator=(const RecordScratch&) = delete;
  ~RecordScratch();

  // A record of `length` bytes starting with `start` (at most max_record_bytes_on_wire bytes),
  // valid until the next call. Throws std::bad_alloc when the room cannot be reserved.
  base::Bytes rebuild(base::Bytes start, std::uint32_t length);

 private:
  std::uint8_t* room_ = nullptr;
};

// One entry of a batch: a packet record for the consumer's dissector, or the events the
// provider's reassembly produced at one packet (stream/event_record.hpp).
struct BatchEntry {
  decode::PacketContext packet;
  bool is_events = false;
  capture::PacketRecord record;  // when !is_events
  base::Bytes event_record;      // when is_events
};

// The body of a batch frame (after its type byte); entries are read with next().
class BatchReader {
 public:
  // Fails (failed()) when the header does not decode. A record sent without its unread tail
  // is rebuilt in `scratch`, valid until the next call to next().
  BatchReader(base::Bytes body, RecordScratch& scratch) noexcept;
  [[nodiscard]] bool failed() const noexcept { return reader_.failed(); }
  [[nodiscard]] std::uint32_t lane() const noexcept { return lane_; }
  [[nodiscard]] std::uint64_t seq() const noexcept { return seq_; }
  // The next entry; false at the end or when an entry does not decode (then failed()).
  bool next(BatchEntry& entry) noexcept;

 private:
  bool fail() noexcept;

  base::ByteReader reader_;
  RecordScratch& scratch_;
  std::uint32_t lane_ = 0;
  std::uint64_t seq_ = 0;
  std::uint32_t remaining_ = 0;
};

// Collects records of one lane into a batch frame.
class BatchBuilder {
 public:
  // Packet number, timestamp, original length, link type, kind (entry_kind), captured and
  // sent lengths.
  static constexpr std::size_t record_header_bytes = 8 + 8 + 4 + 4 + 1 + 4 + 4;

  BatchBuilder(std::uint32_t lane, std::uint64_t seq, std::size_t expected_bytes = 0);
  // Sends the first `read_bytes` bytes of the record and its captured length.
  void add(std::uint64_t packet_number, const capture::PacketRecord& record,
           std::size_t read_bytes);
  // Sends what the provider's reassembly produced at `packet` (an EventRecorder's bytes).
  void add_events(const decode::PacketContext& packet, base::Bytes events);
  [[nodiscard]] std::size_t size() const noexcept { return writer_.size(); }
  [[nodiscard]] std::uint32_t count() const noexcept { return count_; }
  [[nodiscard]] std::uint64_t first_packet_number() const noexcept { return first_; }
  [[nodiscard]] std::uint64_t seq() const noexcept { return seq_; }
  [[nodiscard]] std::vector<std::uint8_t> take();

 private:
  void header(std::uint64_t packet_number, std::int64_t timestamp_ns, std::uint32_t original_length,
              std::uint32_t link_type, std::uint8_t kind, std::size_t captured_length,
              std::size_t sent_length);

  FrameWriter writer_;
  std::uint64_t seq_ = 0;
  std::uint32_t count_ = 0;
  std::uint64_t first_ = 0;
};

// The hello and the acknowledgement are MACed with `auth` (zeros when it has no secret); the
// hello reply takes its MAC from the caller (ChannelAuth::reply_mac over reply_mac_fields).
std::vector<std::uint8_t> encode_hello(const Hello& hello, const ChannelAuth& auth = {});
std::vector<std::uint8_t> encode_hello_reply(const HelloReply& reply);
std::vector<std::uint8_t> encode_hello_reply(std::uint16_t version);  // nonce and MAC zero
std::vector<std::uint8_t> encode_lane_frame(FrameType type, std::uint32_t lane);  // open_lane
std::vector<std::uint8_t> encode_finish_lane(const FinishLane& finish);
std::vector<std::uint8_t> encode_bye();
std::vector<std::uint8_t> encode_ack(const Ack& ack, const ChannelAuth& auth = {},
                                     std::uint64_t position = 0);
// The bytes a reply's MAC covers: its version and nonce.
std::vector<std::uint8_t> reply_mac_fields(const HelloReply& reply);
// The bytes before a frame body's trailing MAC (a hello's or an acknowledgement's).
inline base::Bytes mac_fields(base::Bytes body) noexcept {
  return body.first(body.size() >= mac_bytes ? body.size() - mac_bytes : 0);
}

// Each decodes a frame body (after the type byte); nullopt when it does not decode whole.
std::optional<Hello> decode_hello(base::Bytes body);
// A reply of another version decodes with only its version read.
std::optional<HelloReply> decode_hello_reply(base::Bytes body);
std::optional<std::uint32_t> decode_lane_frame(base::Bytes body);
std::optional<FinishLane> decode_finish_lane(base::Bytes body);
std::optional<Ack> decode_ack(base::Bytes body);

}  // namespace pa::stream
