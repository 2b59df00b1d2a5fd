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

std::vector<PiecePlan> plan_pieces(
    const std::vector<std::unique_ptr<capture::CaptureReader>>& readers, unsigned workers,
    std::uint64_t smallest_piece_bytes) {
  std::uint64_t total = 0;
  for (const auto& reader : readers) total += plain_file_size(*reader).value_or(0);
  const std::uint64_t piece_bytes =
      std::max<std::uint64_t>(smallest_piece_bytes, total / (4 * std::max(workers, 1U)));
  std::vector<PiecePlan> pieces;
  for (std::size_t file_number = 0; file_number < readers.size(); ++file_number) {
    const auto size = plain_file_size(*readers[file_number]);
    capture::PcapSplitPlan plan;
    if (size && *size >= 2 * piece_bytes) {
      plan = capture::plan_pcap_split(readers[file_number]->path(),
                                      static_cast<std::size_t>(*size / piece_bytes),
                                      smallest_piece_bytes);
    }
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
