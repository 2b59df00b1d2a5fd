#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/analyzer.hpp"
#include "app/capture_analysis.hpp"

namespace pa::app {

struct ParallelSettings {
  unsigned workers = 2;  // threads that read and dissect; the calling thread reassembles
  // Classic pcap files are split into pieces of at least this many bytes, shrinking towards
  // the end of the input (PieceSizes::tapering); pcapng, compressed files and standard input
  // stay whole.
  std::uint64_t smallest_piece_bytes = std::uint64_t{16} << 20;
  // Report how the work was split (summary.work_split) even when it ran on one thread.
  bool account_always = false;
  // Told at the end what the progress line counted, bytes and packets: every record once, even
  // in a piece read again (for tests).
  std::function<void(std::uint64_t bytes, std::uint64_t packets)> on_progress_totals;
};

// The same CaptureAnalysis as analyze_captures(paths, ...), byte for byte, with the reading
// and dissecting spread over `settings.workers` threads (docs/architecture.md, "-j N"): each
// piece of the input is read and dissected on its own with packet numbers counted from its
// start, the records that need reassembly go in processing order to one stage on the calling
// thread, and the pieces' partial results are merged once their offsets are known. A guessed
// start inside a pcap file is confirmed by the piece before it, else read again from where
// that piece really ended; inputs whose merged order is not their concatenation (timestamps
// overlapping across files, standard input among several) are analyzed on one thread.
CaptureAnalysis analyze_captures_in_parallel(const std::vector<std::string>& paths,
                                             const analysis::AnalysisOptions& options,
                                             const ParallelSettings& settings,
                                             const std::function<void(std::string_view)>& warn,
                                             bool show_progress = false);

}  // namespace pa::app
