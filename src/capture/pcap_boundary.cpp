#include "capture/pcap_boundary.hpp"

#include "capture/buffered_capture_reader.hpp"

namespace pa::capture {
namespace {

std::uint32_t u32_at(std::span<const std::uint8_t> bytes, std::size_t at, bool swapped) noexcept {
  const std::uint32_t little = static_cast<std::uint32_t>(bytes[at]) |
                               static_cast<std::uint32_t>(bytes[at + 1]) << 8 |
                               static_cast<std::uint32_t>(bytes[at + 2]) << 16 |
                               static_cast<std::uint32_t>(bytes[at + 3]) << 24;
  return swapped ? __builtin_bswap32(little) : little;
}

}  // namespace

std::optional<PcapRecordLayout> pcap_record_layout(std::span<const std::uint8_t> file_header) {
  if (file_header.size() < 24) return std::nullopt;
  PcapRecordLayout layout;
  std::uint32_t magic = u32_at(file_header, 0, false);
  // The magic numbers as PcapReader knows them (pcap_reader.cpp).
  const auto is_pcap_magic = [](std::uint32_t m) {
    return m == 0xA1B2C3D4 || m == 0xA1B23C4D || m == 0xA1B2CD34;
  };
  if (!is_pcap_magic(magic)) {
    magic = __builtin_bswap32(magic);
    if (!is_pcap_magic(magic)) return std::nullopt;
    layout.swapped = true;
  }
  layout.fraction_limit = magic == 0xA1B23C4D ? 1'000'000'000 : 1'000'000;
  layout.record_header_size = magic == 0xA1B2CD34 ? 24 : 16;
  layout.snap_length = u32_at(file_header, 16, layout.swapped);
  return layout;
}

std::optional<std::size_t> find_pcap_record_start(std::span<const std::uint8_t> bytes,
                                                  std::size_t from, const PcapRecordLayout& layout,
                                                  bool bytes_end_file,
                                                  unsigned confirmations) noexcept {
  const std::size_t header = layout.record_header_size;
  // A snap length of 0 or one above the limit says nothing; then only the limit bounds.
  const std::uint32_t longest =
      layout.snap_length != 0 && layout.snap_length < max_record_bytes - header
          ? layout.snap_length
          : max_record_bytes - static_cast<std::uint32_t>(header);
  // The length of the plausible record at `at`, or nullopt.
  const auto record_at = [&](std::size_t at) noexcept -> std::optional<std::size_t> {
    if (header > bytes.size() - at) return std::nullopt;
    const std::uint32_t fraction = u32_at(bytes, at + 4, layout.swapped);
    const std::uint32_t captured = u32_at(bytes, at + 8, layout.swapped);
    const std::uint32_t original = u32_at(bytes, at + 12, layout.swapped);
    if (fraction >= layout.fraction_limit || captured > longest || captured > original ||
        original == 0 || original > max_record_bytes || captured > bytes.size() - at - header) {
      return std::nullopt;
    }
    return header + captured;
  };
  // Whether a chain of plausible records starts at `start`.
  const auto chains = [&](std::size_t start) noexcept {
    std::size_t at = start;
    for (unsigned n = 0; n < confirmations; ++n) {
      if (at == bytes.size()) return bytes_end_file && n >= 2;
      const auto length = record_at(at);
      if (!length) return false;
      at += *length;
    }
    return true;
  };
  for (std::size_t start = from; start < bytes.size(); ++start) {
    if (!chains(start)) continue;
    // Once a lookalike's chain lands on a real record it runs on as the real one, so the
    // chain's second record is a real start whenever its first or second is: the likeliest
    // guess. (Every chain has two records at least.)
    return start + *record_at(start);
  }
  return std::nullopt;
}

}  // namespace pa::capture
