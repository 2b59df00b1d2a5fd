#include "capture/capture_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace pa::capture {
namespace {

constexpr std::size_t buffer_capacity = std::size_t{1} << 20;
constexpr std::int64_t ns_per_second = 1'000'000'000;

// pcap: https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html
constexpr std::uint32_t pcap_magic_us = 0xA1B2C3D4;
constexpr std::uint32_t pcap_magic_ns = 0xA1B23C4D;
// pcapng: https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-01.html
constexpr std::uint32_t block_section_header = 0x0A0D0D0A;
constexpr std::uint32_t block_interface_description = 0x00000001;
constexpr std::uint32_t block_enhanced_packet = 0x00000006;
constexpr std::uint32_t byte_order_magic = 0x1A2B3C4D;
constexpr std::uint16_t option_end = 0;
constexpr std::uint16_t option_if_tsresol = 9;

// The files are written little-endian, whatever the host, byte by byte.
class LittleEndianBuffer {
 public:
  void u8(std::uint8_t v) { bytes_.push_back(v); }
  void u16(std::uint16_t v) {
    u8(static_cast<std::uint8_t>(v));
    u8(static_cast<std::uint8_t>(v >> 8));
  }
  void u32(std::uint32_t v) {
    u16(static_cast<std::uint16_t>(v));
    u16(static_cast<std::uint16_t>(v >> 16));
  }
  void u64(std::uint64_t v) {
    u32(static_cast<std::uint32_t>(v));
    u32(static_cast<std::uint32_t>(v >> 32));
  }
  void bytes(std::span<const std::uint8_t> data) {
    bytes_.insert(bytes_.end(), data.begin(), data.end());
  }
  void zeros(std::size_t n) { bytes_.insert(bytes_.end(), n, 0); }

  [[nodiscard]] std::size_t size() const noexcept { return bytes_.size(); }
  [[nodiscard]] const std::uint8_t* data() const noexcept { return bytes_.data(); }
  void clear() noexcept { bytes_.clear(); }
  void reserve(std::size_t n) { bytes_.reserve(n); }

 private:
  std::vector<std::uint8_t> bytes_;
};

class FileWriter final : public CaptureWriter {
 public:
  FileWriter(int fd, bool owns_fd, std::string path, CaptureFormat format, LinkType link_type,
             std::uint32_t snap_length)
      : fd_(fd),
        owns_fd_(owns_fd),
        path_(std::move(path)),
        format_(format),
        link_type_(link_type),
        snap_length_(snap_length) {
    buffer_.reserve(buffer_capacity + 65536);
    if (format_ == CaptureFormat::pcapng) {
      write_section_header();
    } else {
      write_pcap_header();
    }
  }

  FileWriter(const FileWriter&) = delete;
  FileWriter& operator=(const FileWriter&) = delete;

  ~FileWriter() override {
    try {
      close();
    } catch (...) {  // NOLINT(bugprone-empty-catch): the destructor swallows, as documented
    }
  }

  void write(std::int64_t timestamp_ns, std::span<const std::uint8_t> data,
             std::uint32_t original_length, LinkType link_type) override {
    if (fd_ < 0) throw std::logic_error(path_ + ": write after close");
    if (snap_length_ != 0 && data.size() > snap_length_) data = data.first(snap_length_);
    const auto captured_length = static_cast<std::uint32_t>(data.size());
    if (original_length < captured_length) original_length = captured_length;
    if (format_ == CaptureFormat::pcapng) {
      write_enhanced_packet(timestamp_ns, data, captured_length, original_length, link_type);
    } else {
      write_pcap_record(timestamp_ns, data, captured_length, original_length, link_type);
    }
    if (buffer_.size() >= buffer_capacity) flush();
  }

  void close() override {
    if (fd_ < 0) return;
    const int fd = fd_;
    try {
      flush();
    } catch (...) {
      if (owns_fd_) ::close(fd);
      fd_ = -1;
      throw;
    }
    fd_ = -1;
    if (owns_fd_ && ::close(fd) != 0) fail("cannot close");
  }

 private:
  void write_pcap_header() {
    buffer_.u32(format_ == CaptureFormat::pcap_ns ? pcap_magic_ns : pcap_magic_us);
    buffer_.u16(2);  // version 2.4
    buffer_.u16(4);
    buffer_.u32(0);  // thiszone
    buffer_.u32(0);  // sigfigs
    buffer_.u32(snap_length_);
    buffer_.u32(static_cast<std::uint32_t>(link_type_));
  }

  void write_pcap_record(std::int64_t timestamp_ns, std::span<const std::uint8_t> data,
                         std::uint32_t captured_length, std::uint32_t original_length,
                         LinkType link_type) {
    if (link_type != link_type_) {
      throw std::invalid_argument(path_ + ": a pcap file holds one link type (" +
                                  std::to_string(static_cast<std::uint32_t>(link_type_)) +
                                  "), not " +
                                  std::to_string(static_cast<std::uint32_t>(link_type)));
    }
    // Floor division, so that a time before the epoch still has a fraction in [0, 1 s).
    std::int64_t seconds = timestamp_ns / ns_per_second;
    std::int64_t fraction_ns = timestamp_ns % ns_per_second;
    if (fraction_ns < 0) {
      fraction_ns += ns_per_second;
      --seconds;
    }
    buffer_.u32(static_cast<std::uint32_t>(seconds));
    buffer_.u32(static_cast<std::uint32_t>(format_ == CaptureFormat::pcap_ns ? fraction_ns
                                                                             : fraction_ns / 1000));
    buffer_.u32(captured_length);
    buffer_.u32(original_length);
    buffer_.bytes(data);
  }

  void write_section_header() {
    buffer_.u32(block_section_header);
    buffer_.u32(28);
    buffer_.u32(byte_order_magic);
    buffer_.u16(1);  // version 1.0
    buffer_.u16(0);
    buffer_.u64(~std::uint64_t{0});  // section length: not given
    buffer_.u32(28);
  }

  std::uint32_t interface_for(LinkType link_type) {
    for (std::size_t i = 0; i < interfaces_.size(); ++i) {
      if (interfaces_[i] == link_type) return static_cast<std::uint32_t>(i);
    }
    const auto value = static_cast<std::uint32_t>(link_type);
    if (value > 0xFFFF) {
      throw std::invalid_argument(path_ + ": link type " + std::to_string(value) +
                                  " does not fit a pcapng interface description");
    }
    constexpr std::uint32_t length = 32;
    buffer_.u32(block_interface_description);
    buffer_.u32(length);
    buffer_.u16(static_cast<std::uint16_t>(value));
    buffer_.u16(0);  // reserved
    buffer_.u32(snap_length_);
    buffer_.u16(option_if_tsresol);
    buffer_.u16(1);
    buffer_.u8(9);  // 10^-9 s
    buffer_.zeros(3);
    buffer_.u16(option_end);
    buffer_.u16(0);
    buffer_.u32(length);
    interfaces_.push_back(link_type);
    return static_cast<std::uint32_t>(interfaces_.size() - 1);
  }

  void write_enhanced_packet(std::int64_t timestamp_ns, std::span<const std::uint8_t> data,
                             std::uint32_t captured_length, std::uint32_t original_length,
                             LinkType link_type) {
    const std::uint32_t interface_id = interface_for(link_type);
    const std::uint32_t padding = (4 - captured_length % 4) % 4;
    if (captured_length > 0xFFFFFFFFu - 32 - padding) {
      throw std::invalid_argument(path_ + ": packet too large for a pcapng block");
    }
    const std::uint32_t length = 32 + captured_length + padding;
    const auto timestamp = static_cast<std::uint64_t>(timestamp_ns);
    buffer_.u32(block_enhanced_packet);
    buffer_.u32(length);
    buffer_.u32(interface_id);
    buffer_.u32(static_cast<std::uint32_t>(timestamp >> 32));
    buffer_.u32(static_cast<std::uint32_t>(timestamp));
    buffer_.u32(captured_length);
    buffer_.u32(original_length);
    buffer_.bytes(data);
    buffer_.zeros(padding);
    buffer_.u32(length);
  }

  void flush() {
    const std::uint8_t* p = buffer_.data();
    std::size_t left = buffer_.size();
    while (left > 0) {
      const ssize_t n = ::write(fd_, p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        buffer_.clear();
        fail("cannot write");
      }
      p += n;
      left -= static_cast<std::size_t>(n);
    }
    buffer_.clear();
  }

  [[noreturn]] void fail(const char* what) const {
    throw std::runtime_error(std::string(what) + " " + path_ + ": " + std::strerror(errno));
  }

  int fd_;
  bool owns_fd_;
  std::string path_;
  CaptureFormat format_;
  LinkType link_type_;
  std::uint32_t snap_length_;
  std::vector<LinkType> interfaces_;
  LittleEndianBuffer buffer_;
};

}  // namespace

std::unique_ptr<CaptureWriter> CaptureWriter::create(const std::string& path, CaptureFormat format,
                                                     LinkType link_type,
                                                     std::uint32_t snap_length) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot create " + path + ": " + std::strerror(errno));
  return std::make_unique<FileWriter>(fd, true, path, format, link_type, snap_length);
}

std::unique_ptr<CaptureWriter> CaptureWriter::create_for_descriptor(int fd, const std::string& name,
                                                                    CaptureFormat format,
                                                                    LinkType link_type,
                                                                    std::uint32_t snap_length) {
  return std::make_unique<FileWriter>(fd, false, name, format, link_type, snap_length);
}

}  // namespace pa::capture
