#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "capture/capture_writer.hpp"

namespace pa::generate {

// Writes packets to one capture, or to `file_count` captures `<path>1` .. `<path>N` the way
// `tcpdump -C` rotates: each file is a whole capture, the next one begins when this one
// holds its share (bytes or packets, whichever limit is set). The last file takes the rest.
class RotatingOutput {
 public:
  struct Limits {
    unsigned file_count = 0;             // 0: a single file named `path`
    std::uint64_t bytes_per_file = 0;    // 0: no byte limit
    std::uint64_t packets_per_file = 0;  // 0: no packet limit
  };

  RotatingOutput(std::string path, capture::CaptureFormat format, Limits limits);

  void write(std::int64_t timestamp_ns, std::span<const std::uint8_t> frame);
  void close();

  // Bytes written so far, counting file headers and record headers.
  [[nodiscard]] std::uint64_t bytes() const noexcept { return total_bytes_; }
  [[nodiscard]] const std::vector<std::string>& files() const noexcept { return files_; }

  // What a record of `frame_length` bytes takes in a file of this format.
  static std::uint64_t record_size(capture::CaptureFormat format, std::size_t frame_length);
  static std::uint64_t header_size(capture::CaptureFormat format);

 private:
  void open_next();

  std::string path_;
  capture::CaptureFormat format_;
  Limits limits_;
  std::unique_ptr<capture::CaptureWriter> writer_;
  std::vector<std::string> files_;
  std::uint64_t file_bytes_ = 0;
  std::uint64_t file_packets_ = 0;
  std::uint64_t total_bytes_ = 0;
};

}  // namespace pa::generate
