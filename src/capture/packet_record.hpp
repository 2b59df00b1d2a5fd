#pragma once

#include <cstdint>
#include <span>

#include "capture/link_type.hpp"

namespace pa::capture {

// One captured packet as a reader hands it out. `data` borrows the reader's buffer: it stays
// valid until that reader's next call to next(), and no longer.
struct PacketRecord {
  // Since the Unix epoch, after if_tsresol and if_tsoffset. A pcapng simple packet block has
  // none: it takes the previous packet's of the same file (0 before any).
  std::int64_t timestamp_ns = 0;
  // The packet's length on the wire; never below data.size() (a file claiming less gets it
  // raised to the captured length).
  std::uint32_t original_length = 0;
  LinkType link_type = LinkType::ethernet;
  // False for a pcapng packet whose interface id the section never described; its
  // link_type is then meaningless and the pipeline counts Drop::capture_unknown_interface.
  bool interface_known = true;
  std::span<const std::uint8_t> data;  // the captured bytes (captured length = data.size())
};

}  // namespace pa::capture
