#include "app/input_pieces.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "capture/pcap_range.hpp"

namespace pa::app {

std::optional<std::uint64_t> plain_file_size(const capture::CaptureReader& reader) {
  std::error_code error;
  const auto size = std::filesystem::file_size(reader.path(), error);
  if (error || reader.decompressed() || reader.path() == "-") return std::nullopt;
  return size;
}

std::vector<std::uint64_t> tapering_piece_ends(std::uint64_t total, unsigned workers,
                                               std::uint64_t smallest) {
  smallest = std::max<std::uint64_t>(smallest, 1);
  const std::uint64_t parts = 2 * std::uint64_t{std::max(workers, 1U)};
  std::vector<std::uint64_t> ends;
  std::uint64_t at = 0;
  // What is left after each step is at least `smallest`: the last piece is not a crumb.
  while (total - at >= 2 * smallest) {
    at += std::max(smallest, (total - at) / parts);
    ends.push_back(at);
  }
  return ends;
}

std::vector<PiecePlan> plan_pieces(
    const std::vector<std::unique_ptr<capture::CaptureReader>>& readers, unsigned workers,
    std::uint64_t smallest_piece_bytes, PieceSizes sizes) {
  std::vector<std::optional<std::uint64_t>> file_sizes;
  std::uint64_t total = 0;
  for (const auto& reader : readers) {
    file_sizes.push_back(plain_file_size(*reader));
    total += file_sizes.back().value_or(0);
  }
  const std::uint64_t piece_bytes =
      std::max<std::uint64_t>(smallest_piece_bytes, total / (4 * std::max(workers, 1U)));
  const auto ends = sizes == PieceSizes::tapering
                        ? tapering_piece_ends(total, workers, smallest_piece_bytes)
                        : std::vector<std::uint64_t>{};
  std::vector<PiecePlan> pieces;
  std::uint64_t file_start = 0;  // in the concatenation
  for (std::size_t file_number = 0; file_number < readers.size(); ++file_number) {
    const auto size = file_sizes[file_number];
    capture::PcapSplitPlan plan;
    if (size && sizes == PieceSizes::alike && *size >= 2 * piece_bytes) {
      plan = capture::plan_pcap_split(readers[file_number]->path(),
                                      static_cast<std::size_t>(*size / piece_bytes),
                                      smallest_piece_bytes);
    } else if (size && sizes == PieceSizes::tapering) {
      // The ends inside this file, none closer than a smallest piece to either of its ends.
      std::vector<std::uint64_t> points;
      for (const std::uint64_t end : ends) {
        if (end >= file_start + smallest_piece_bytes &&
            end + smallest_piece_bytes <= file_start + *size) {
          points.push_back(end - file_start);
        }
      }
      if (!points.empty()) plan = capture::plan_pcap_split_at(readers[file_number]->path(), points);
    }
    if (size) file_start += *size;
    if (plan.starts.size() < 2) {
      pieces.push_back({file_number, 0, no_end, true});
      continue;
    }
    for (std::size_t k = 0; k < plan.starts.size(); ++k) {
      const std::uint64_t end = k + 1 < plan.starts.size() ? plan.starts[k + 1] : no_end;
      pieces.push_back({file_number, plan.starts[k], end, false});
    }
  }
  return pieces;
}

}  // namespace pa::app
