#include "rotating_output.hpp"

#include <utility>

namespace pa::generate {

RotatingOutput::RotatingOutput(std::string path, capture::CaptureFormat format, Limits limits)
    : path_{std::move(path)}, format_{format}, limits_{limits} {
  open_next();
}

std::uint64_t RotatingOutput::header_size(capture::CaptureFormat format) {
  // pcap: the 24-byte file header. pcapng: section header (28) and one interface
  // description with if_tsresol (32).
  return format == capture::CaptureFormat::pcapng ? 60 : 24;
}

std::uint64_t RotatingOutput::record_size(capture::CaptureFormat format, std::size_t frame_length) {
  if (format == capture::CaptureFormat::pcapng) return 32 + (frame_length + 3) / 4 * 4;
  return 16 + frame_length;
}

void RotatingOutput::open_next() {
  if (writer_) writer_->close();
  const std::string name =
      limits_.file_count == 0 ? path_ : path_ + std::to_string(files_.size() + 1);
  writer_ = capture::CaptureWriter::create(name, format_, capture::LinkType::ethernet);
  files_.push_back(name);
  file_bytes_ = header_size(format_);
  file_packets_ = 0;
  total_bytes_ += file_bytes_;
}

void RotatingOutput::write(std::int64_t timestamp_ns, std::span<const std::uint8_t> frame) {
  const std::uint64_t size = record_size(format_, frame.size());
  const bool full = (limits_.bytes_per_file != 0 && file_bytes_ + size > limits_.bytes_per_file) ||
                    (limits_.packets_per_file != 0 && file_packets_ >= limits_.packets_per_file);
  if (full && file_packets_ > 0 && files_.size() < limits_.file_count) open_next();
  writer_->write(timestamp_ns, frame, capture::LinkType::ethernet);
  file_bytes_ += size;
  total_bytes_ += size;
  ++file_packets_;
}

void RotatingOutput::close() {
  if (writer_) writer_->close();
  writer_.reset();
}

}  // namespace pa::generate
