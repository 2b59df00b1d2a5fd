#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace pa::capture {

// What a classic pcap file's header says about its record headers, enough to tell a record
// header from other bytes.
struct PcapRecordLayout {
  bool swapped = false;                      // the file's byte order is not the host's
  std::size_t record_header_size = 16;       // 24 in Kuznetzov's modified format
  std::uint32_t fraction_limit = 1'000'000;  // 1,000,000 (microseconds) or 1,000,000,000
  std::uint32_t snap_length = 0;             // 0: unknown, bounded by max_record_bytes only
};

// The layout from a classic pcap file header (24 bytes); nullopt when it is not one.
std::optional<PcapRecordLayout> pcap_record_layout(std::span<const std::uint8_t> file_header);

// Classic pcap has no sync marker, so splitting one file between readers needs a guess of
// where a record starts near a split point. Finds the first position at or after `from` from
// which `confirmations` record headers chain (each next one starts where the record before it
// ends), every one plausible (fraction below the limit, captured length within the snap length
// and not above the original length, which is 1 to 64 MiB); a chain may also end exactly at
// the end of `bytes` after two records at least when `bytes_end_file` says they are the file's
// last. Returns the offset (within `bytes`) of that chain's second record, or nullopt when no
// position in `bytes` starts such a chain. `bytes` should hold at least
// `confirmations` records after `from`.
//
// A guess only: a packet's payload can hold bytes that look like such a chain. The caller
// must confirm it by the reader of the range before, whose last record has to end exactly at
// the guessed offset, and otherwise read on from where that reader really ended. Files of
// version 2.3 and older, whose lengths may be swapped, are not for splitting.
std::optional<std::size_t> find_pcap_record_start(std::span<const std::uint8_t> bytes,
                                                  std::size_t from, const PcapRecordLayout& layout,
                                                  bool bytes_end_file,
                                                  unsigned confirmations = 8) noexcept;

}  // namespace pa::capture
