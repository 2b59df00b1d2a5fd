#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/analyzer.hpp"
#include "capture/capture_merger.hpp"
#include "capture/capture_reader.hpp"
#include "report/run_summary.hpp"

namespace pa::app {

struct CaptureAnalysis {
  analysis::AnalysisResult result;
  report::RunSummary summary;
};

// Opens every capture before any is read, in order, so that a file that is not a capture fails
// before any output (throws capture::CaptureError naming it).
std::vector<std::unique_ptr<capture::CaptureReader>> open_captures(
    const std::vector<std::string>& paths);

// The inputs' total size, when every one is a plain regular file (not standard input, not
// compressed), so that bytes read can be compared with it; and the bytes read so far. For
// the progress line.
std::optional<std::uint64_t> total_size(const capture::CaptureMerger& merger);
std::uint64_t bytes_read(const capture::CaptureMerger& merger) noexcept;

// Analyzes the captures as one, in-process: opens them all first (so a file that is not a
// capture fails before any output, throwing capture::CaptureError), then merges, dissects and
// analyzes every record. Problems met part-way (a cut-short last record) go to `warn` as
// they are found and into the summary's warnings. `show_progress` draws a progress line on
// standard error during long runs (see ProgressLine).
CaptureAnalysis analyze_captures(const std::vector<std::string>& paths,
                                 const analysis::AnalysisOptions& options,
                                 const std::function<void(std::string_view)>& warn,
                                 bool show_progress = false);

}  // namespace pa::app
