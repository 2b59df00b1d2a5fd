#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "capture/buffered_capture_reader.hpp"

namespace pa::capture {

// pcapng (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-01.html): any number of
// sections, each in its own byte order and with its own interfaces; enhanced, simple and
// obsolete packet blocks; every other block is skipped by its length.
class PcapngReader final : public BufferedCaptureReader {
 public:
  static constexpr std::uint32_t block_section_header = 0x0A0D0D0A;  // the same in both orders

  // The section header block must be at input.data(); throws CaptureError when it is not a
  // usable one.
  PcapngReader(std::string path, std::string name, InputBuffer input);

  bool next(PacketRecord& record) override;

 private:
  // Turns an interface's timestamp units into nanoseconds since the epoch.
  struct TimeScale {
    enum class Kind : std::uint8_t { multiply, divide, shift };
    Kind kind = Kind::multiply;
    std::uint64_t factor = 1000;  // if_tsresol's default is 10^-6 s
    unsigned shift = 0;           // for 2^-n resolutions: units * 10^9 >> n
    std::uint64_t offset_ns = 0;  // if_tsoffset, in nanoseconds (wraps like the result)

    [[nodiscard]] std::int64_t to_ns(std::uint64_t units) const noexcept;
  };

  struct Interface {
    LinkType link_type = LinkType::ethernet;
    std::uint32_t snap_length = 0;  // 0: no limit
    TimeScale scale;
  };

  enum class Status : std::uint8_t { ok, cut_short, corrupt };

  // The section header at input_.data(), of which 12 bytes are available. On corrupt,
  // `subject` and `detail` say what is wrong.
  Status read_section_header(std::string& subject, std::string& detail);
  bool read_interface_description(const std::uint8_t* block, std::uint32_t length);
  bool read_packet(std::uint32_t type, const std::uint8_t* block, std::uint32_t length,
                   PacketRecord& record);

  bool swapped_ = false;
  std::vector<Interface> interfaces_;
  std::int64_t last_timestamp_ns_ = 0;
};

}  // namespace pa::capture
