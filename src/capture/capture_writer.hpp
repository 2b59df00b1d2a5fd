#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "capture/link_type.hpp"

namespace pa::capture {

enum class CaptureFormat : std::uint8_t { pcap, pcap_ns, pcapng };

// Writes a capture file, for the generator, test fixtures and `-w`. Throws std::runtime_error
// (with the path) on I/O failure. Output is buffered (1 MiB) and written with write(2).
//
// The files: classic pcap in the writer's native byte order (little-endian on every platform
// we build for) with magic a1b2c3d4 (microseconds) or a1b23c4d (nanoseconds); pcapng with one
// section header, one interface description block per distinct link type in order of first
// use (each with if_tsresol = 9, nanoseconds) and enhanced packet blocks.
class CaptureWriter {
 public:
  virtual ~CaptureWriter() = default;

  // pcap formats take the link type of the whole file; pcapng writes one interface per
  // distinct link type, in order of first use.
  static std::unique_ptr<CaptureWriter> create(const std::string& path, CaptureFormat format,
                                               LinkType link_type,
                                               std::uint32_t snap_length = 262144);

  // Writes to a descriptor the caller already opened (standard output for `-w -`), which the
  // writer leaves open. `name` is used in error messages.
  static std::unique_ptr<CaptureWriter> create_for_descriptor(int fd, const std::string& name,
                                                              CaptureFormat format,
                                                              LinkType link_type,
                                                              std::uint32_t snap_length = 262144);

  // `data` is what was captured; original_length >= data.size(). Bytes beyond snap_length
  // are cut off, as a capture would (the original length is kept). For the pcap formats,
  // `link_type` must be the file's (std::invalid_argument otherwise); timestamps before 1970
  // or after 2106 do not fit a pcap header and wrap.
  virtual void write(std::int64_t timestamp_ns, std::span<const std::uint8_t> data,
                     std::uint32_t original_length, LinkType link_type) = 0;
  void write(std::int64_t timestamp_ns, std::span<const std::uint8_t> data, LinkType link_type) {
    write(timestamp_ns, data, static_cast<std::uint32_t>(data.size()), link_type);
  }

  // Flushes and closes; throws on failure. Also called by the destructor, which swallows.
  virtual void close() = 0;
};

}  // namespace pa::capture
