#include "app/record_chunk.hpp"

#include <cstring>

namespace pa::app {
namespace {

struct ChunkRecordHeader {
  std::uint64_t packet_number;
  std::int64_t timestamp_ns;
  std::uint32_t original_length;
  std::uint32_t captured_length;
  capture::LinkType link_type;
  bool interface_known;
};

}  // namespace

void append_chunk_record(std::vector<std::uint8_t>& chunk, std::uint64_t packet_number,
                         const capture::PacketRecord& record) {
  const ChunkRecordHeader header{
      packet_number,          record.timestamp_ns,
      record.original_length, static_cast<std::uint32_t>(record.data.size()),
      record.link_type,       record.interface_known};
  // Appended from the bytes themselves: resize() would zero them first.
  const auto* header_bytes = reinterpret_cast<const std::uint8_t*>(&header);
  chunk.insert(chunk.end(), header_bytes, header_bytes + sizeof header);
  chunk.insert(chunk.end(), record.data.begin(), record.data.end());
}

ChunkRead read_chunk_record(const std::vector<std::uint8_t>& chunk, std::size_t& at,
                            std::uint64_t& packet_number, capture::PacketRecord& record) noexcept {
  if (at == chunk.size()) return ChunkRead::end;
  ChunkRecordHeader header{};
  if (chunk.size() - at < sizeof header) return ChunkRead::cut_short;
  std::memcpy(&header, chunk.data() + at, sizeof header);
  if (chunk.size() - at - sizeof header < header.captured_length) return ChunkRead::cut_short;
  at += sizeof header;
  packet_number = header.packet_number;
  record.timestamp_ns = header.timestamp_ns;
  record.original_length = header.original_length;
  record.link_type = header.link_type;
  record.interface_known = header.interface_known;
  record.data = {chunk.data() + at, header.captured_length};
  at += header.captured_length;
  return ChunkRead::record;
}

}  // namespace pa::app
