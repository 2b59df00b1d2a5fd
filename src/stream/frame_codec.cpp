#include "stream/frame_codec.hpp"

#include <fmt/format.h>
#include <sys/mman.h>

#include <algorithm>
#include <array>
#include <new>

#include "stream/wire_address.hpp"

namespace pa::stream {

namespace {

std::optional<std::string> read_text(base::ByteReader& reader) {
  const std::uint16_t length = reader.u16();
  const base::Bytes bytes = reader.bytes(length);
  if (reader.failed()) return std::nullopt;
  return std::string(bytes.begin(), bytes.end());
}

// A count read from the wire sizes nothing before the bytes it promises are there: each
// element takes at least `min_element_bytes`.
bool plausible_count(const base::ByteReader& reader, std::uint64_t count,
                     std::size_t min_element_bytes) {
  return count <= reader.remaining() / min_element_bytes;
}

template <std::size_t N>
void read_array(base::ByteReader& reader, std::array<std::uint8_t, N>& out) noexcept {
  const base::Bytes bytes = reader.bytes(N);
  if (!reader.failed()) std::copy(bytes.begin(), bytes.end(), out.begin());
}

// Appends the MAC `mac_of` computes over the frame's body so far (after its type byte).
template <typename MacOf>
std::vector<std::uint8_t> with_mac(FrameWriter& writer, MacOf mac_of) {
  std::vector<std::uint8_t> frame = writer.take();
  const Mac mac = mac_of(base::Bytes(frame).subspan(frame_prefix_bytes + 1));
  frame.insert(frame.end(), mac.begin(), mac.end());
  const auto length = static_cast<std::uint32_t>(frame.size() - frame_prefix_bytes);
  frame[0] = static_cast<std::uint8_t>(length >> 24);
  frame[1] = static_cast<std::uint8_t>(length >> 16);
  frame[2] = static_cast<std::uint8_t>(length >> 8);
  frame[3] = static_cast<std::uint8_t>(length);
  return frame;
}

// The counts of an acknowledgement's delta: DNS messages, malformed messages, malformed answer
// sections, skipped packets, then the drop reasons that are not zero.
void write_counters(FrameWriter& writer, const analysis::RunCounters& counters) {
  writer.u64(counters.dns_messages);
  writer.u64(counters.malformed_dns_messages);
  writer.u64(counters.malformed_answer_sections);
  writer.u64(counters.skipped_packets);
  std::uint16_t reasons = 0;
  for (std::size_t i = 0; i < base::drop_reason_count; ++i) {
    if (counters.drops[static_cast<base::Drop>(i)] != 0) ++reasons;
  }
  writer.u16(reasons);
  for (std::size_t i = 0; i < base::drop_reason_count; ++i) {
    const std::uint64_t count = counters.drops[static_cast<base::Drop>(i)];
    if (count == 0) continue;
    writer.u16(static_cast<std::uint16_t>(i));
    writer.u64(count);
  }
}

// The timeline: a u16 count of buckets; when there are any, the width exponent (i8, in
// Timeline's range), the first bucket's index (i64), then per bucket its queries and
// connection attempts (u64 each).
void write_timeline(FrameWriter& writer, const analysis::Timeline& timeline) {
  const auto& buckets = timeline.timeline_buckets();
  writer.u16(static_cast<std::uint16_t>(buckets.size()));
  if (buckets.empty()) return;
  writer.u8(static_cast<std::uint8_t>(static_cast<std::int8_t>(timeline.bucket_width_exponent())));
  writer.i64(timeline.first_bucket());
  for (const analysis::Timeline::Bucket& bucket : buckets) {
    writer.u64(bucket.queries);
    writer.u64(bucket.connection_attempts);
  }
}

bool read_timeline(base::ByteReader& reader, analysis::Timeline& timeline) {
  const std::uint16_t count = reader.u16();
  if (reader.failed()) return false;
  if (count == 0) return timeline.adopt_decoded(0, 0, {});
  const int exponent = static_cast<std::int8_t>(reader.u8());
  const auto first_bucket = static_cast<std::int64_t>(reader.u64());
  if (reader.failed() || count > analysis::Timeline::max_buckets ||
      !plausible_count(reader, count, 8 + 8)) {
    return false;
  }
  std::vector<analysis::Timeline::Bucket> buckets(count);
  for (analysis::Timeline::Bucket& bucket : buckets) {
    bucket.queries = reader.u64();
    bucket.connection_attempts = reader.u64();
  }
  return !reader.failed() && timeline.adopt_decoded(exponent, first_bucket, std::move(buckets));
}

bool read_counters(base::ByteReader& reader, analysis::RunCounters& counters) {
  counters.dns_messages = reader.u64();
  counters.malformed_dns_messages = reader.u64();
  counters.malformed_answer_sections = reader.u64();
  counters.skipped_packets = reader.u64();
  const std::uint16_t reasons = reader.u16();
  for (std::uint16_t i = 0; i < reasons; ++i) {
    const std::uint16_t reason = reader.u16();
    const std::uint64_t count = reader.u64();
    if (reader.failed() || reason >= base::drop_reason_count) return false;
    counters.drops.add(static_cast<base::Drop>(reason), count);
  }
  return !reader.failed();
}

}  // namespace

std::optional<std::string> check_frame_length(std::uint32_t length) {
  if (length == 0) return std::string("empty frame (no type byte)");
  if (length > max_frame_bytes) {
    return fmt::format("frame of {} bytes exceeds the limit of {} bytes", length, max_frame_bytes);
  }
  return std::nullopt;
}

FrameWriter::FrameWriter(FrameType type, std::size_t expected_bytes) {
  bytes_.reserve(expected_bytes);
  bytes_.resize(frame_prefix_bytes);
  bytes_.push_back(static_cast<std::uint8_t>(type));
}

void FrameWriter::address(const base::IpAddress& address) { append_address(bytes_, address); }

void FrameWriter::text(const std::string& value) {
  const std::size_t length = std::min<std::size_t>(value.size(), 0xffff);
  u16(static_cast<std::uint16_t>(length));
  bytes_.insert(bytes_.end(), value.begin(), value.begin() + static_cast<std::ptrdiff_t>(length));
}

std::vector<std::uint8_t> FrameWriter::take() {
  const auto length = static_cast<std::uint32_t>(bytes_.size() - frame_prefix_bytes);
  bytes_[0] = static_cast<std::uint8_t>(length >> 24);
  bytes_[1] = static_cast<std::uint8_t>(length >> 16);
  bytes_[2] = static_cast<std::uint8_t>(length >> 8);
  bytes_[3] = static_cast<std::uint8_t>(length);
  return std::move(bytes_);
}

RecordScratch::~RecordScratch() {
  if (room_ != nullptr) munmap(room_, max_captured_length);
}

base::Bytes RecordScratch::rebuild(base::Bytes start, std::uint32_t length) {
  if (room_ == nullptr) {
    void* room = mmap(nullptr, max_captured_length, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (room == MAP_FAILED) throw std::bad_alloc();
    room_ = static_cast<std::uint8_t*>(room);
  }
  std::copy(start.begin(), start.end(), room_);
  return base::Bytes(room_, length);
}

BatchReader::BatchReader(base::Bytes body, RecordScratch& scratch) noexcept
    : reader_(body), scratch_(scratch) {
  lane_ = reader_.u32();
  seq_ = reader_.u64();
  remaining_ = reader_.u32();
}

bool BatchReader::fail() noexcept {
  reader_.seek(reader_.whole().size() + 1);  // fails the reader for good
  return false;
}

bool BatchReader::next(BatchEntry& entry) noexcept {
  if (reader_.failed() || remaining_ == 0) return false;
  --remaining_;
  entry.packet.packet_number = reader_.u64();
  entry.packet.timestamp_ns = static_cast<std::int64_t>(reader_.u64());
  capture::PacketRecord& record = entry.record;
  record.timestamp_ns = entry.packet.timestamp_ns;
  record.original_length = reader_.u32();
  record.link_type = static_cast<capture::LinkType>(reader_.u32());
  const std::uint8_t kind = reader_.u8();
  const std::uint32_t captured_length = reader_.u32();
  const std::uint32_t sent_length = reader_.u32();
  const base::Bytes sent = reader_.bytes(sent_length);
  if (reader_.failed() || kind > entry_kind::event_record || sent_length > captured_length ||
      captured_length > max_captured_length) {
    return fail();
  }
  entry.is_events = kind == entry_kind::event_record;
  if (entry.is_events) {
    if (sent_length != captured_length) return fail();
    entry.event_record = sent;
    record.data = {};
    return true;
  }
  // The provider never sends more of a packet: the scratch is written no further.
  if (sent_length > max_record_bytes_on_wire) return fail();
  record.interface_known = kind == entry_kind::packet;
  if (sent_length == captured_length) {
    record.data = sent;
    return true;
  }
  // The tail the analysis never reads did not travel: any bytes stand in for it.
  try {
    record.data = scratch_.rebuild(sent, captured_length);
  } catch (const std::bad_alloc&) {
    return fail();
  }
  return true;
}

BatchBuilder::BatchBuilder(std::uint32_t lane, std::uint64_t seq, std::size_t expected_bytes)
    : writer_(FrameType::batch, expected_bytes), seq_(seq) {
  writer_.u32(lane);
  writer_.u64(seq);
  writer_.u32(0);  // the count, patched by take()
}

void BatchBuilder::header(std::uint64_t packet_number, std::int64_t timestamp_ns,
                          std::uint32_t original_length, std::uint32_t link_type, std::uint8_t kind,
                          std::size_t captured_length, std::size_t sent_length) {
  if (count_ == 0) first_ = packet_number;
  ++count_;
  // The fixed part of an entry, laid out at once: this runs for every packet.
  std::array<std::uint8_t, record_header_bytes> bytes;
  std::size_t at = 0;
  const auto put = [&](std::uint64_t value, std::size_t width) {
    for (std::size_t i = width; i-- > 0;) {
      bytes[at + i] = static_cast<std::uint8_t>(value);
      value >>= 8;
    }
    at += width;
  };
  put(packet_number, 8);
  put(static_cast<std::uint64_t>(timestamp_ns), 8);
  put(original_length, 4);
  put(link_type, 4);
  put(kind, 1);
  put(captured_length, 4);
  put(sent_length, 4);
  writer_.bytes(bytes);
}

void BatchBuilder::add(std::uint64_t packet_number, const capture::PacketRecord& record,
                       std::size_t read_bytes) {
  const std::size_t sent = std::min({read_bytes, record.data.size(), max_record_bytes_on_wire});
  header(packet_number, record.timestamp_ns, record.original_length,
         static_cast<std::uint32_t>(record.link_type),
         record.interface_known ? entry_kind::packet : entry_kind::packet_unknown_interface,
         record.data.size(), sent);
  writer_.bytes(record.data.first(sent));
}

void BatchBuilder::add_events(const decode::PacketContext& packet, base::Bytes events) {
  header(packet.packet_number, packet.timestamp_ns, 0, 0, entry_kind::event_record, events.size(),
         events.size());
  writer_.bytes(events);
}

std::vector<std::uint8_t> BatchBuilder::take() {
  std::vector<std::uint8_t> frame = writer_.take();
  // The count sits after the prefix, the type, the lane and the sequence number.
  constexpr std::size_t at = frame_prefix_bytes + 1 + 4 + 8;
  frame[at] = static_cast<std::uint8_t>(count_ >> 24);
  frame[at + 1] = static_cast<std::uint8_t>(count_ >> 16);
  frame[at + 2] = static_cast<std::uint8_t>(count_ >> 8);
  frame[at + 3] = static_cast<std::uint8_t>(count_);
  return frame;
}

std::vector<std::uint8_t> encode_hello(const Hello& hello, const ChannelAuth& auth) {
  FrameWriter writer(FrameType::hello);
  writer.u32(protocol_magic);
  writer.u16(hello.version);
  writer.u16(hello.window);
  writer.u16(hello.options.watch_port);
  writer.u8(hello.options.learn_from_dns ? 1 : 0);
  writer.text(hello.options.watch_host);
  writer.u16(static_cast<std::uint16_t>(hello.options.preset_addresses.size()));
  for (const base::IpAddress& address : hello.options.preset_addresses) writer.address(address);
  // --qtype: the question types the consumers count (none: every type).
  writer.u16(static_cast<std::uint16_t>(hello.options.query_types.size()));
  for (const std::uint16_t type : hello.options.query_types) writer.u16(type);
  writer.u32(hello.lanes);
  writer.u8(hello.authenticated ? 1 : 0);
  writer.bytes(hello.nonce);
  return with_mac(writer, [&](base::Bytes fields) { return auth.hello_mac(fields); });
}

std::vector<std::uint8_t> reply_mac_fields(const HelloReply& reply) {
  // Sized once and filled in place: an insert after a two-byte initializer makes g++ 12 at
  // -O3 warn of a copy out of bounds that cannot happen (-Warray-bounds).
  std::vector<std::uint8_t> fields(2 + reply.nonce.size());
  fields[0] = static_cast<std::uint8_t>(reply.version >> 8);
  fields[1] = static_cast<std::uint8_t>(reply.version);
  std::copy(reply.nonce.begin(), reply.nonce.end(), fields.begin() + 2);
  return fields;
}

std::vector<std::uint8_t> encode_hello_reply(const HelloReply& reply) {
  FrameWriter writer(FrameType::hello_reply);
  writer.u32(protocol_magic);
  writer.u16(reply.version);
  writer.bytes(reply.nonce);
  writer.bytes(reply.mac);
  return writer.take();
}

std::vector<std::uint8_t> encode_hello_reply(std::uint16_t version) {
  HelloReply reply;
  reply.version = version;
  return encode_hello_reply(reply);
}

std::vector<std::uint8_t> encode_lane_frame(FrameType type, std::uint32_t lane) {
  FrameWriter writer(type);
  writer.u32(lane);
  return writer.take();
}

std::vector<std::uint8_t> encode_finish_lane(const FinishLane& finish) {
  FrameWriter writer(FrameType::finish_lane);
  writer.u32(finish.lane);
  writer.u64(finish.seq);
  writer.u64(finish.last.packet_number);
  writer.i64(finish.last.timestamp_ns);
  return writer.take();
}

std::vector<std::uint8_t> encode_bye() { return FrameWriter(FrameType::bye).take(); }

std::vector<std::uint8_t> encode_ack(const Ack& ack, const ChannelAuth& auth,
                                     std::uint64_t position) {
  const analysis::PartialResult& delta = ack.delta;
  FrameWriter writer(FrameType::ack);
  writer.u32(ack.lane);
  writer.u64(ack.seq);
  writer.u8(ack.flags);
  write_counters(writer, delta.counters());
  writer.u32(static_cast<std::uint32_t>(delta.query_counts.size()));
  for (const analysis::NameCount& row : delta.query_counts) {
    writer.text(row.name);
    writer.u64(row.count);
    writer.u16(row.type);
  }
  writer.u32(static_cast<std::uint32_t>(delta.learned.size()));
  for (const analysis::LearnedAddress& learned : delta.learned) {
    writer.address(learned.address);
    writer.u64(learned.packet_number);
    writer.i64(learned.timestamp_ns);
  }
  writer.u32(static_cast<std::uint32_t>(delta.source_ports.size()));
  for (const std::uint16_t port : delta.source_ports) writer.u16(port);
  writer.u32(static_cast<std::uint32_t>(delta.syn_candidates.size()));
  for (const analysis::SynCandidate& candidate : delta.syn_candidates) {
    writer.address(candidate.destination);
    writer.u16(candidate.source_port);
    writer.u64(candidate.packet_number);
  }
  write_timeline(writer, delta.timeline);
  return with_mac(writer, [&](base::Bytes fields) { return auth.ack_mac(position, fields); });
}

std::optional<Hello> decode_hello(base::Bytes body) {
  base::ByteReader reader(body);
  Hello hello;
  if (reader.u32() != protocol_magic) return std::nullopt;
  hello.version = reader.u16();
  if (reader.failed() || hello.version != protocol_version) {
    // Later versions may lay out the rest differently: only the version is read.
    if (reader.failed()) return std::nullopt;
    return hello;
  }
  hello.window = reader.u16();
  hello.options.watch_port = reader.u16();
  hello.options.learn_from_dns = reader.u8() != 0;
  auto host = read_text(reader);
  if (!host) return std::nullopt;
  hello.options.watch_host = std::move(*host);
  const std::uint16_t presets = reader.u16();
  for (std::uint16_t i = 0; i < presets; ++i) {
    const auto address = read_address(reader);
    if (!address) return std::nullopt;
    hello.options.preset_addresses.push_back(*address);
  }
  const std::uint16_t types = reader.u16();
  hello.options.query_types.clear();
  for (std::uint16_t i = 0; i < types && !reader.failed(); ++i) {
    hello.options.query_types.push_back(reader.u16());
  }
  hello.lanes = reader.u32();
  const std::uint8_t authenticated = reader.u8();
  read_array(reader, hello.nonce);
  read_array(reader, hello.mac);
  if (reader.failed() || reader.remaining() != 0 || hello.window == 0 || hello.lanes == 0 ||
      hello.lanes > max_lanes || authenticated > 1) {
    return std::nullopt;
  }
  hello.authenticated = authenticated == 1;
  return hello;
}

std::optional<HelloReply> decode_hello_reply(base::Bytes body) {
  base::ByteReader reader(body);
  if (reader.u32() != protocol_magic) return std::nullopt;
  HelloReply reply;
  reply.version = reader.u16();
  if (reader.failed()) return std::nullopt;
  if (reply.version != protocol_version) return reply;
  read_array(reader, reply.nonce);
  read_array(reader, reply.mac);
  if (reader.failed() || reader.remaining() != 0) return std::nullopt;
  return reply;
}

std::optional<std::uint32_t> decode_lane_frame(base::Bytes body) {
  base::ByteReader reader(body);
  const std::uint32_t lane = reader.u32();
  if (reader.failed() || reader.remaining() != 0) return std::nullopt;
  return lane;
}

std::optional<FinishLane> decode_finish_lane(base::Bytes body) {
  base::ByteReader reader(body);
  FinishLane finish;
  finish.lane = reader.u32();
  finish.seq = reader.u64();
  finish.last.packet_number = reader.u64();
  finish.last.timestamp_ns = static_cast<std::int64_t>(reader.u64());
  if (reader.failed() || reader.remaining() != 0) return std::nullopt;
  return finish;
}

std::optional<Ack> decode_ack(base::Bytes body) {
  base::ByteReader reader(body);
  Ack ack;
  analysis::PartialResult& delta = ack.delta;
  ack.lane = reader.u32();
  ack.seq = reader.u64();
  ack.flags = reader.u8();
  if (!read_counters(reader, delta.counters())) return std::nullopt;
  const std::uint32_t names = reader.u32();
  if (reader.failed() || !plausible_count(reader, names, 2 + 8 + 2)) return std::nullopt;
  delta.query_counts.reserve(names);
  for (std::uint32_t i = 0; i < names; ++i) {
    auto name = read_text(reader);
    const std::uint64_t count = reader.u64();
    const std::uint16_t type = reader.u16();
    if (!name || reader.failed()) return std::nullopt;
    delta.query_counts.push_back({std::move(*name), count, type});
  }
  const std::uint32_t learned = reader.u32();
  if (reader.failed() || !plausible_count(reader, learned, 5 + 16)) return std::nullopt;
  delta.learned.reserve(learned);
  for (std::uint32_t i = 0; i < learned; ++i) {
    const auto address = read_address(reader);
    const std::uint64_t packet_number = reader.u64();
    const auto timestamp_ns = static_cast<std::int64_t>(reader.u64());
    if (!address || reader.failed()) return std::nullopt;
    delta.learned.push_back({*address, packet_number, timestamp_ns});
  }
  const std::uint32_t ports = reader.u32();
  if (reader.failed() || !plausible_count(reader, ports, 2)) return std::nullopt;
  delta.source_ports.reserve(ports);
  for (std::uint32_t i = 0; i < ports; ++i) delta.source_ports.push_back(reader.u16());
  const std::uint32_t candidates = reader.u32();
  if (reader.failed() || !plausible_count(reader, candidates, 5 + 2 + 8)) return std::nullopt;
  delta.syn_candidates.reserve(candidates);
  for (std::uint32_t i = 0; i < candidates; ++i) {
    const auto address = read_address(reader);
    const std::uint16_t port = reader.u16();
    const std::uint64_t packet_number = reader.u64();
    if (!address || reader.failed()) return std::nullopt;
    delta.syn_candidates.push_back({*address, port, packet_number});
  }
  if (!read_timeline(reader, delta.timeline)) return std::nullopt;
  read_array(reader, ack.mac);
  if (reader.failed() || reader.remaining() != 0) return std::nullopt;
  return ack;
}

}  // namespace pa::stream
