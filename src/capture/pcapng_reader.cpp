#include "capture/pcapng_reader.hpp"

#include <algorithm>

namespace pa::capture {
namespace {

constexpr std::uint32_t block_interface_description = 0x00000001;
constexpr std::uint32_t block_packet = 0x00000002;  // obsolete, still written by old tools
constexpr std::uint32_t block_simple_packet = 0x00000003;
constexpr std::uint32_t block_enhanced_packet = 0x00000006;
constexpr std::uint32_t byte_order_magic = 0x1A2B3C4D;
constexpr std::uint16_t supported_major_version = 1;

constexpr std::uint32_t minimum_block_length = 12;  // type, length, trailing length
constexpr std::uint32_t minimum_section_header_length = 28;
constexpr std::uint32_t minimum_interface_description_length = 20;
constexpr std::uint32_t minimum_packet_length = 32;  // EPB and obsolete PB without data
constexpr std::uint32_t minimum_simple_packet_length = 16;
// A section may describe this many interfaces: enough for any capturing host, and the
// interface table then stays small whatever the file holds.
constexpr std::size_t maximum_interfaces = 65536;

constexpr std::uint16_t option_end = 0;
constexpr std::uint16_t option_if_tsresol = 9;
constexpr std::uint16_t option_if_tsoffset = 14;

// Whether `length` can be a block's total length; per block, so kept cheap.
constexpr bool block_length_ok(std::uint32_t length, std::uint32_t minimum) noexcept {
  return length >= minimum && length % 4 == 0 && length <= max_record_bytes;
}

// What is wrong with a total length that is not ok.
std::string block_length_problem(std::uint32_t length, std::uint32_t minimum) {
  if (length < minimum) {
    return "total length " + std::to_string(length) + " is under the " + std::to_string(minimum) +
           "-byte minimum";
  }
  if (length % 4 != 0) return "total length " + std::to_string(length) + " is not a multiple of 4";
  return "total length " + std::to_string(length) + " is over the 64 MiB limit";
}

constexpr std::uint64_t power_of_ten(unsigned exponent) noexcept {
  std::uint64_t value = 1;
  for (unsigned i = 0; i < exponent; ++i) value *= 10;
  return value;
}

}  // namespace

std::int64_t PcapngReader::TimeScale::to_ns(std::uint64_t units) const noexcept {
  std::uint64_t ns = 0;
  switch (kind) {
    case Kind::multiply:
      ns = units * factor;
      break;
    case Kind::divide:
      ns = units / factor;
      break;
    case Kind::shift:
      ns = static_cast<std::uint64_t>(static_cast<unsigned __int128>(units) * 1'000'000'000u >>
                                      shift);
      break;
  }
  // Unsigned arithmetic wraps where a corrupt timestamp overflows; it never traps.
  return static_cast<std::int64_t>(ns + offset_ns);
}

PcapngReader::PcapngReader(std::string path, std::string name, InputBuffer input)
    : BufferedCaptureReader(std::move(path), std::move(name), std::move(input)) {
  std::string subject;
  std::string detail;
  const Status status = input_.ensure(minimum_block_length) ? read_section_header(subject, detail)
                                                            : Status::cut_short;
  if (status == Status::cut_short) {
    throw_header_cut_short("truncated section header at byte 0");
  }
  if (status == Status::corrupt) {
    throw CaptureError(name_ + ": " + subject + " at byte 0 (" + detail + ")");
  }
}

PcapngReader::Status PcapngReader::read_section_header(std::string& subject, std::string& detail) {
  const std::uint8_t* block = input_.data();
  const std::uint32_t magic = load_u32(block + 8, false);
  bool swapped = false;
  if (magic == byte_order_magic) {
    swapped = false;
  } else if (magic == __builtin_bswap32(byte_order_magic)) {
    swapped = true;
  } else {
    subject = "corrupt pcapng section header";
    detail = "byte-order magic " + hex32(load_u32_big(block + 8)) + " is neither 1a2b3c4d nor " +
             "4d3c2b1a";
    return Status::corrupt;
  }
  const std::uint32_t length = load_u32(block + 4, swapped);
  if (!block_length_ok(length, minimum_section_header_length)) {
    subject = "corrupt pcapng section header";
    detail = block_length_problem(length, minimum_section_header_length);
    return Status::corrupt;
  }
  if (!input_.ensure(length)) return Status::cut_short;
  block = input_.data();
  const std::uint16_t major = load_u16(block + 12, swapped);
  const std::uint16_t minor = load_u16(block + 14, swapped);
  if (major != supported_major_version) {
    subject = "unsupported pcapng section";
    detail =
        "version " + std::to_string(major) + "." + std::to_string(minor) + "; only 1.x is known";
    return Status::corrupt;
  }
  const std::uint32_t trailing_length = load_u32(block + length - 4, swapped);
  if (trailing_length != length) {
    subject = "corrupt pcapng section header";
    detail = "total length " + std::to_string(length) + " differs from its trailing copy " +
             std::to_string(trailing_length);
    return Status::corrupt;
  }
  // A new section starts afresh: its own byte order, no interfaces yet.
  swapped_ = swapped;
  interfaces_.clear();
  input_.consume(length);
  return Status::ok;
}

bool PcapngReader::next(PacketRecord& record) {
  if (done_) return false;
  for (;;) {
    if (!input_.ensure(minimum_block_length)) return stop_at_end();
    const std::uint8_t* block = input_.data();
    const std::uint32_t type = load_u32(block, swapped_);
    if (type == block_section_header) [[unlikely]] {
      std::string subject;
      std::string detail;
      const Status status = read_section_header(subject, detail);
      if (status == Status::cut_short) return stop_at_end();
      if (status == Status::corrupt) return stop_corrupt(input_.offset(), subject, detail);
      continue;
    }
    const std::uint32_t length = load_u32(block + 4, swapped_);
    if (!block_length_ok(length, minimum_block_length)) [[unlikely]] {
      return stop_corrupt(input_.offset(), "corrupt pcapng block of type " + hex32(type),
                          block_length_problem(length, minimum_block_length));
    }
    if (!input_.ensure(length)) [[unlikely]] {
      return stop_at_end();
    }
    block = input_.data();
    const std::uint32_t trailing_length = load_u32(block + length - 4, swapped_);
    if (trailing_length != length) [[unlikely]] {
      return stop_corrupt(input_.offset(), "corrupt pcapng block of type " + hex32(type),
                          "total length " + std::to_string(length) +
                              " differs from its trailing copy " + std::to_string(trailing_length));
    }
    switch (type) {
      case block_enhanced_packet:
      case block_simple_packet:
      case block_packet:
        if (!read_packet(type, block, length, record)) return false;
        input_.consume(length);
        return true;
      case block_interface_description:
        if (!read_interface_description(block, length)) return false;
        break;
      default:  // statistics, name resolution, decryption secrets, custom, ...: not needed
        break;
    }
    input_.consume(length);
  }
}

bool PcapngReader::read_interface_description(const std::uint8_t* block, std::uint32_t length) {
  if (length < minimum_interface_description_length) {
    return stop_corrupt(input_.offset(), "corrupt pcapng interface description block",
                        block_length_problem(length, minimum_interface_description_length));
  }
  if (interfaces_.size() >= maximum_interfaces) {
    return stop_corrupt(
        input_.offset(), "unsupported pcapng interface description block",
        "more than " + std::to_string(maximum_interfaces) + " interfaces in one section");
  }
  Interface interface;
  interface.link_type = static_cast<LinkType>(load_u16(block + 8, swapped_));
  interface.snap_length = load_u32(block + 12, swapped_);
  // Options (code, length, value padded to 4 bytes) up to the trailing length. One that runs
  // past the block ends the list: the interface is still usable without it.
  std::uint32_t position = 16;
  const std::uint32_t end = length - 4;
  while (end - position >= 4) {
    const std::uint16_t code = load_u16(block + position, swapped_);
    const std::uint16_t value_length = load_u16(block + position + 2, swapped_);
    position += 4;
    if (code == option_end || value_length > end - position) break;
    const std::uint8_t* value = block + position;
    if (code == option_if_tsresol && value_length >= 1) {
      // The high bit picks a power of 2, else a power of 10; the rest is the exponent of the
      // resolution (if_tsresol: 6 means microseconds, 0x8a means 1/1024 s).
      const unsigned exponent = value[0] & 0x7Fu;
      TimeScale& scale = interface.scale;
      if ((value[0] & 0x80u) != 0) {
        scale.kind = TimeScale::Kind::shift;
        scale.shift = exponent;
      } else if (exponent <= 9) {
        scale.kind = TimeScale::Kind::multiply;
        scale.factor = power_of_ten(9 - exponent);
      } else if (exponent - 9 <= 19) {
        scale.kind = TimeScale::Kind::divide;
        scale.factor = power_of_ten(exponent - 9);
      } else {  // finer than 10^-28 s: every timestamp rounds to 0 ns
        scale.kind = TimeScale::Kind::multiply;
        scale.factor = 0;
      }
    } else if (code == option_if_tsoffset && value_length >= 8) {
      // Seconds to add to every timestamp of the interface.
      interface.scale.offset_ns = load_u64(value, swapped_) * 1'000'000'000u;
    }
    position += (static_cast<std::uint32_t>(value_length) + 3u) & ~3u;
    if (position > end) break;
  }
  interfaces_.push_back(interface);
  return true;
}

bool PcapngReader::read_packet(std::uint32_t type, const std::uint8_t* block, std::uint32_t length,
                               PacketRecord& record) {
  std::uint32_t interface_id = 0;
  std::uint32_t captured_length = 0;
  std::uint32_t original_length = 0;
  std::uint64_t timestamp = 0;
  const std::uint8_t* data = nullptr;
  if (type == block_simple_packet) {
    if (length < minimum_simple_packet_length) {
      return stop_corrupt(input_.offset(), "corrupt pcapng simple packet block",
                          block_length_problem(length, minimum_simple_packet_length));
    }
    // No interface id and no captured length: interface 0, and the bytes the snap length
    // and the block allow.
    original_length = load_u32(block + 8, swapped_);
    captured_length = std::min(original_length, length - minimum_simple_packet_length);
    if (!interfaces_.empty() && interfaces_[0].snap_length != 0) {
      captured_length = std::min(captured_length, interfaces_[0].snap_length);
    }
    data = block + 12;
  } else {
    const char* subject = type == block_enhanced_packet ? "corrupt pcapng enhanced packet block"
                                                        : "corrupt pcapng packet block";
    if (length < minimum_packet_length) {
      return stop_corrupt(input_.offset(), subject,
                          block_length_problem(length, minimum_packet_length));
    }
    // The obsolete packet block has a 16-bit interface id and a 16-bit drop count there.
    interface_id = type == block_enhanced_packet ? load_u32(block + 8, swapped_)
                                                 : load_u16(block + 8, swapped_);
    timestamp = static_cast<std::uint64_t>(load_u32(block + 12, swapped_)) << 32 |
                load_u32(block + 16, swapped_);
    captured_length = load_u32(block + 20, swapped_);
    original_length = load_u32(block + 24, swapped_);
    if (captured_length > length - minimum_packet_length) {
      return stop_corrupt(input_.offset(), subject,
                          "captured length " + std::to_string(captured_length) +
                              " does not fit in a block of " + std::to_string(length) + " bytes");
    }
    data = block + 28;
  }
  if (interface_id < interfaces_.size()) [[likely]] {
    const Interface& interface = interfaces_[interface_id];
    record.link_type = interface.link_type;
    record.interface_known = true;
    // A simple packet block has no timestamp: it takes the previous packet's, which keeps
    // its place in a merge by time.
    if (type != block_simple_packet) last_timestamp_ns_ = interface.scale.to_ns(timestamp);
  } else {
    record.link_type = LinkType::ethernet;
    record.interface_known = false;
    if (type != block_simple_packet) last_timestamp_ns_ = TimeScale{}.to_ns(timestamp);
  }
  record.timestamp_ns = last_timestamp_ns_;
  // As for pcap: a captured length above the original one is kept, the original raised.
  record.original_length = std::max(original_length, captured_length);
  record.data = {data, captured_length};
  return true;
}

}  // namespace pa::capture
