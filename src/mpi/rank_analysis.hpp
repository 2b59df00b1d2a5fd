#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/analyzer.hpp"
#include "app/capture_analysis.hpp"

namespace pa::mpi {

// The -j N design over MPI ranks (docs/architecture.md, "Many machines"): rank 0 plans the
// pieces and sends the plan to every rank; rank r reads pieces r, r + R, r + 2R, ... of the
// plan, each on its own, and sends rank 0 the records that need reassembly, then the piece's
// partial result; rank 0 reads its own pieces, takes every piece in processing order (the one
// reassembly stage, the packet offsets, the check of guessed starts: app::PieceMerger) and
// returns the analysis, which is -c 0's. Other ranks return nullopt. Every rank must call it
// with the same arguments. Throws on the rank where reading fails; the caller aborts the job.
//
// The settings tests need (from the environment, see RankSettings::from_environment): pieces
// smaller than the 16 MiB a real run uses, and a rank that fails or dies on purpose.
struct RankSettings {
  std::uint64_t smallest_piece_bytes = std::uint64_t{16} << 20;
  int failing_rank = -1;  // throws before sending its first outcome
  int dying_rank = -1;    // is killed (SIGKILL) before sending its first outcome

  // PA_TEST_PIECE_BYTES, PA_TEST_FAILING_RANK, PA_TEST_DYING_RANK.
  static RankSettings from_environment();
};

std::optional<app::CaptureAnalysis> analyze_captures_over_ranks(
    const std::vector<std::string>& paths, const analysis::AnalysisOptions& options,
    const RankSettings& settings, const std::function<void(std::string_view)>& warn);

}  // namespace pa::mpi
