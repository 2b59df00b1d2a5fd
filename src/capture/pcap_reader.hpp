#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>

#include "capture/buffered_capture_reader.hpp"

namespace pa::capture {

// Classic pcap (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html, and libpcap's
// sf-pcap.c for the older variants): either byte order, microsecond (a1b2c3d4) or nanosecond
// (a1b23c4d) timestamps, and Alexey Kuznetzov's modified format (a1b2cd34), whose record
// headers carry 8 more bytes.
class PcapReader final : public BufferedCaptureReader {
 public:
  // The file header must be at input.data(); throws CaptureError when it is not a usable one.
  PcapReader(std::string path, std::string name, InputBuffer input);

  // The records of one stretch of the file (capture/pcap_range.hpp): `records` is positioned at
  // a record header, its offset() that of the file; `file_header` holds the file's first 24
  // bytes. next() ends, with no problem, at the first record starting at or after records_end.
  PcapReader(std::string path, std::string name, InputBuffer records,
             std::span<const std::uint8_t> file_header, std::uint64_t records_end);

  bool next(PacketRecord& record) override {
    return swapped_ ? next_in_order<true>(record) : next_in_order<false>(record);
  }

  // Whether the first four bytes (in the host's order) are one of the magic numbers above.
  static bool is_magic(std::uint32_t magic) noexcept;

 private:
  // Version 2.3 and older files may hold the captured and original lengths the other way
  // round (libpcap sf-pcap.c, "lengths_swapped").
  enum class LengthOrder : std::uint8_t { normal, swapped, maybe_swapped };

  template <bool swapped>
  bool next_in_order(PacketRecord& record);
  void read_file_header(const std::uint8_t* header);

  bool swapped_ = false;
  LengthOrder length_order_ = LengthOrder::normal;
  std::uint32_t ns_per_fraction_ = 1000;  // 1000 for microseconds, 1 for nanoseconds
  std::size_t record_header_size_ = 16;
  LinkType link_type_ = LinkType::ethernet;
  std::uint64_t records_end_ = UINT64_MAX;
};

template <bool swapped>
bool PcapReader::next_in_order(PacketRecord& record) {
  if (done_ || input_.offset() >= records_end_) return false;
  if (!input_.ensure(record_header_size_)) return stop_at_end();
  const std::uint8_t* header = input_.data();
  const std::uint32_t seconds = load_u32(header, swapped);
  const std::uint32_t fraction = load_u32(header + 4, swapped);
  std::uint32_t captured_length = load_u32(header + 8, swapped);
  std::uint32_t original_length = load_u32(header + 12, swapped);
  if (length_order_ != LengthOrder::normal) [[unlikely]] {
    if (length_order_ == LengthOrder::swapped || captured_length > original_length) {
      std::swap(captured_length, original_length);
    }
  }
  if (captured_length > max_record_bytes - record_header_size_) [[unlikely]] {
    return stop_corrupt(
        input_.offset(), "corrupt pcap record header",
        "captured length " + std::to_string(captured_length) + " is over the 64 MiB limit");
  }
  const std::size_t size = record_header_size_ + captured_length;
  if (!input_.ensure(size)) [[unlikely]]
    return stop_at_end();
  record.timestamp_ns = static_cast<std::int64_t>(seconds) * 1'000'000'000 +
                        static_cast<std::int64_t>(fraction) * ns_per_fraction_;
  // A captured length above the original one contradicts itself; tcpdump and Wireshark show
  // such packets anyway, so they are kept, with the original length raised to match.
  record.original_length = std::max(original_length, captured_length);
  record.link_type = link_type_;
  record.interface_known = true;
  record.data = {input_.data() + record_header_size_, captured_length};
  input_.consume(size);
  return true;
}

}  // namespace pa::capture
