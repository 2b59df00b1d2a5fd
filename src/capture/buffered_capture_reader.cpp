#include "capture/buffered_capture_reader.hpp"

#include <cstdio>

namespace pa::capture {

std::string hex32(std::uint32_t value) {
  char text[11];
  std::snprintf(text, sizeof text, "0x%08x", value);
  return text;
}

std::string source_failure(const ByteSource& source, std::uint64_t offset) {
  return source.error() + " at byte " + std::to_string(offset) +
         (source.decompressed() ? " of the decompressed capture" : "");
}

void BufferedCaptureReader::throw_header_cut_short(const std::string& what) const {
  if (!input_.source().error().empty()) {
    throw CaptureError(name_ + ": " + source_failure(input_.source(), input_.offset()));
  }
  throw CaptureError(name_ + ": " + what);
}

bool BufferedCaptureReader::stop_at_end() {
  done_ = true;
  const std::uint64_t offset = input_.offset();
  const ByteSource& source = input_.source();
  if (!source.error().empty()) {
    problem_ = ReadProblem{offset, name_ + ": " + source_failure(source, offset) +
                                       "; analyzed up to the last whole record"};
  } else if (input_.available() > 0) {
    problem_ =
        ReadProblem{offset, name_ + ": last record cut short at byte " + std::to_string(offset) +
                                "; analyzed up to the last whole record"};
  }
  return false;
}

bool BufferedCaptureReader::stop_corrupt(std::uint64_t offset, const std::string& subject,
                                         const std::string& detail) {
  done_ = true;
  problem_ = ReadProblem{offset, name_ + ": " + subject + " at byte " + std::to_string(offset) +
                                     " (" + detail + "); analyzed the records before it"};
  return false;
}

}  // namespace pa::capture
