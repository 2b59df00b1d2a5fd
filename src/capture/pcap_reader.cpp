#include "capture/pcap_reader.hpp"

namespace pa::capture {
namespace {

constexpr std::uint32_t magic_microseconds = 0xA1B2C3D4;
constexpr std::uint32_t magic_nanoseconds = 0xA1B23C4D;
constexpr std::uint32_t magic_modified = 0xA1B2CD34;  // Kuznetzov's patched libpcap
constexpr std::size_t file_header_size = 24;
// libpcap pcap-common.h LT_LINKTYPE(): the low 26 bits are the link type, the upper bits
// say whether and how long a frame check sequence is.
constexpr std::uint32_t link_type_mask = 0x03FFFFFF;

bool is_native_magic(std::uint32_t magic) noexcept {
  return magic == magic_microseconds || magic == magic_nanoseconds || magic == magic_modified;
}

}  // namespace

bool PcapReader::is_magic(std::uint32_t magic) noexcept {
  return is_native_magic(magic) || is_native_magic(__builtin_bswap32(magic));
}

PcapReader::PcapReader(std::string path, std::string name, InputBuffer input)
    : BufferedCaptureReader(std::move(path), std::move(name), std::move(input)) {
  if (!input_.ensure(file_header_size)) {
    throw_header_cut_short("truncated pcap file header at byte 0 (" +
                           std::to_string(input_.available()) + " of 24 bytes)");
  }
  read_file_header(input_.data());
  input_.consume(file_header_size);
}

PcapReader::PcapReader(std::string path, std::string name, InputBuffer records,
                       std::span<const std::uint8_t> file_header, std::uint64_t records_end)
    : BufferedCaptureReader(std::move(path), std::move(name), std::move(records)),
      records_end_(records_end) {
  if (file_header.size() < file_header_size) {
    throw CaptureError(name_ + ": truncated pcap file header at byte 0 (" +
                       std::to_string(file_header.size()) + " of 24 bytes)");
  }
  read_file_header(file_header.data());
}

void PcapReader::read_file_header(const std::uint8_t* header) {
  std::uint32_t magic = load_u32(header, false);
  swapped_ = !is_native_magic(magic);
  if (swapped_) magic = __builtin_bswap32(magic);
  ns_per_fraction_ = magic == magic_nanoseconds ? 1 : 1000;
  record_header_size_ = magic == magic_modified ? 24 : 16;
  const std::uint16_t major = load_u16(header + 4, swapped_);
  const std::uint16_t minor = load_u16(header + 6, swapped_);
  // libpcap (sf-pcap.c) reads major version 2, and 543.0 from DG/UX's tcpdump, whose lengths
  // are the other way round; 1.x files predate both by decades.
  const bool dg_ux = major == 543 && minor == 0;
  if (major != 2 && !dg_ux) {
    throw CaptureError(name_ + ": unsupported pcap file version " + std::to_string(major) + "." +
                       std::to_string(minor) + " at byte 4");
  }
  if (dg_ux || minor < 3) {
    length_order_ = LengthOrder::swapped;
  } else if (minor == 3) {
    length_order_ = LengthOrder::maybe_swapped;
  }
  link_type_ = static_cast<LinkType>(load_u32(header + 20, swapped_) & link_type_mask);
}

}  // namespace pa::capture
