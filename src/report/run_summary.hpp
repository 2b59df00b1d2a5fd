#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pa::report {

// The kernel's packet counts of a live capture (pcap_stats).
struct KernelCounts {
  std::uint64_t received = 0;
  std::uint64_t dropped = 0;            // by the kernel, for want of buffer space
  std::uint64_t interface_dropped = 0;  // by the interface or its driver
};

// What a report of a live capture covers: the packets captured on `interface` from `start_ns`
// to `end_ns` (wall clock, nanoseconds since the epoch).
struct LiveCaptureSummary {
  std::string interface;
  std::string filter;  // empty: every packet
  std::int64_t start_ns = 0;
  std::int64_t end_ns = 0;
  bool final = true;  // false for a report written while the capture goes on
  std::optional<KernelCounts> kernel;
};

// The earliest and latest timestamp of the records a run read, whatever their order.
struct RecordTimeSpan {
  std::int64_t earliest_ns = 0;
  std::int64_t latest_ns = 0;
  friend bool operator==(const RecordTimeSpan&, const RecordTimeSpan&) = default;
};

inline void note_record_time(std::optional<RecordTimeSpan>& time_span, std::int64_t timestamp_ns) {
  if (!time_span) {
    time_span = RecordTimeSpan{timestamp_ns, timestamp_ns};
    return;
  }
  if (timestamp_ns < time_span->earliest_ns) time_span->earliest_ns = timestamp_ns;
  if (timestamp_ns > time_span->latest_ns) time_span->latest_ns = timestamp_ns;
}

// What the run knows beyond the analysis itself: what it read and what it warned about.
// How -j N (or MPI's ranks) split the reading (app/parallel_analysis.hpp): what the JSON
// report's "threads" (or "mpi") object says.
struct WorkSplit {
  std::string json_key = "threads";  // "mpi" for packet-analysis-mpi: workers are ranks
  std::uint64_t workers = 1;
  std::uint64_t pieces = 1;
  std::uint64_t pieces_read_again = 0;  // a guessed record start that the piece before refuted
  std::string one_thread_because;       // empty unless it all ran on one thread
};

struct RunSummary {
  std::vector<std::string> inputs;  // as named on the command line ("-" for standard input)
  std::uint64_t packets_read = 0;
  std::vector<std::string> warnings;
  std::optional<LiveCaptureSummary> live;  // set for a live capture (-i) only
  // The stream mode's run health (connections, losses, batches sent again, ...), in the order
  // the JSON report lists them; empty for an in-process run. The analysis never depends on it.
  std::vector<std::pair<std::string, std::uint64_t>> stream_health;
  std::optional<WorkSplit> work_split;      // set by -j N only
  std::optional<RecordTimeSpan> time_span;  // none when no record was read
};

}  // namespace pa::report
