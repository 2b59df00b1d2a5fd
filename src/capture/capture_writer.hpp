#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "capture/link_type.hpp"

namespace pa::capture {

enum class CaptureFormat : std::uint8_t { pcap, pcap_ns, pcapng };

// Writes a capture file, for the generator, test fixtures and `-w`. Throws std::runtime_error
// (with the path) on I/O failure.
class CaptureWriter {
 public:
  virtual ~CaptureWriter() = default;

  // pcap formats take the link type of the whole file; pcapng writes one interface per
  // distinct link type, in order of first use.
  static std::unique_ptr<CaptureWriter> create(const std::string& path, CaptureFormat format,
                                               LinkType link_type,
                                               std::uint32_t snap_length = 262144);

  // `data` is what was captured; original_length >= data.size().
  virtual void write(std::int64_t timestamp_ns, std::span<const std::uint8_t> data,
                     std::uint32_t original_length, LinkType link_type) = 0;
  void write(std::int64_t timestamp_ns, std::span<const std::uint8_t> data, LinkType link_type) {
    write(timestamp_ns, data, static_cast<std::uint32_t>(data.size()), link_type);
  }

  // Flushes and closes; throws on failure. Also called by the destructor, which swallows.
  virtual void close() = 0;
};

}  // namespace pa::capture
