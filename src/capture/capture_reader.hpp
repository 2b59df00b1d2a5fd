#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "capture/packet_record.hpp"

namespace pa::capture {

// A file that cannot be read as a capture at all (missing, unreadable, not a capture, bad
// header). The message names the file and, where it applies, the byte offset.
class CaptureError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What ended a file early: a record cut short at the end, or a structure that contradicts
// itself part-way. Records before it were all delivered.
struct ReadProblem {
  std::uint64_t offset = 0;  // byte offset in the (decompressed) capture of the bad record/block
  std::string message;       // complete sentence, names the file and the offset
};

// Reads one capture file (classic pcap or pcapng, possibly gzip- or zstd-compressed, or
// standard input for "-") record by record, streaming: memory does not grow with the file.
class CaptureReader {
 public:
  virtual ~CaptureReader() = default;

  // Opens the file and reads its header. Throws CaptureError when it is not a capture.
  // Messages name the file as given, or "standard input" for "-".
  static std::unique_ptr<CaptureReader> open(const std::string& path);

  // The next record, or false at the end (or at a problem, see problem()). The record's
  // bytes stay valid until the next call.
  virtual bool next(PacketRecord& record) = 0;

  // Set once next() returned false because of a cut-short record or a corrupt structure.
  [[nodiscard]] virtual const std::optional<ReadProblem>& problem() const noexcept = 0;

  // Bytes of the capture consumed so far (decompressed), for progress.
  [[nodiscard]] virtual std::uint64_t bytes_read() const noexcept = 0;

  // True for a gzip or zstd file: bytes_read() then counts decompressed bytes, which the
  // file's size cannot be compared with.
  [[nodiscard]] virtual bool decompressed() const noexcept = 0;

  [[nodiscard]] virtual const std::string& path() const noexcept = 0;
};

}  // namespace pa::capture
