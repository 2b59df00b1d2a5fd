#pragma once

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
std::optional<app::CaptureAnalysis> analyze_captures_over_ranks(
    const std::vector<std::string>& paths, const analysis::AnalysisOptions& options,
    const std::function<void(std::string_view)>& warn);

}  // namespace pa::mpi
