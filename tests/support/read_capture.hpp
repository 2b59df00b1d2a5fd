#pragma once

// Reads a whole capture into memory for assertions: every record copied out of the reader's
// buffer, and the problem that ended it, if any.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "capture/capture_reader.hpp"

namespace pa::test {

struct CopiedRecord {
  std::int64_t timestamp_ns = 0;
  std::uint32_t original_length = 0;
  capture::LinkType link_type = capture::LinkType::ethernet;
  bool interface_known = true;
  std::vector<std::uint8_t> data;
};

struct CaptureContents {
  std::vector<CopiedRecord> records;
  std::optional<capture::ReadProblem> problem;
};

inline CopiedRecord copy_record(const capture::PacketRecord& record) {
  return {record.timestamp_ns, record.original_length, record.link_type, record.interface_known,
          std::vector<std::uint8_t>(record.data.begin(), record.data.end())};
}

inline CaptureContents read_capture(capture::CaptureReader& reader) {
  CaptureContents contents;
  capture::PacketRecord record;
  while (reader.next(record)) contents.records.push_back(copy_record(record));
  // After the end, next() keeps saying so.
  if (reader.next(record)) throw std::logic_error("next() returned a record after the end");
  contents.problem = reader.problem();
  return contents;
}

inline CaptureContents read_capture(const std::string& path) {
  return read_capture(*capture::CaptureReader::open(path));
}

}  // namespace pa::test
