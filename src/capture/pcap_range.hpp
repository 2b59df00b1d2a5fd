#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "capture/capture_reader.hpp"

namespace pa::capture {

// Where records may start in one classic pcap file, for readers that share the file: the
// first is the end of the file header, the others are guesses (find_pcap_record_start) near
// evenly spaced points, ascending. A file that cannot be split (pcapng, compressed, standard
// input, not a regular file, version 2.3 and older, too small for `pieces`) gets an empty
// plan. Throws CaptureError when the file cannot be read.
struct PcapSplitPlan {
  std::vector<std::uint64_t> starts;
  std::uint64_t bytes_in_file = 0;
};
PcapSplitPlan plan_pcap_split(const std::string& path, std::size_t pieces,
                              std::uint64_t smallest_piece_bytes);

// The same with the points chosen by the caller: byte offsets in the file, ascending. A point
// at or before the file header's end, or at or past the file's end, is left out, as is one
// where no record start is found.
PcapSplitPlan plan_pcap_split_at(const std::string& path, const std::vector<std::uint64_t>& points);

// Opens `path`, a plain classic pcap file, to read the records that start at or after `begin`
// (which must be a record's start for the records to make sense) and before `end`. Offsets in
// its messages and bytes_read() are the file's: after the last record, bytes_read() is where
// that record ended. Throws CaptureError.
std::unique_ptr<CaptureReader> open_pcap_range(const std::string& path, std::uint64_t begin,
                                               std::uint64_t end);

}  // namespace pa::capture
