#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/analyzer.hpp"
#include "capture/capture_reader.hpp"
#include "report/run_summary.hpp"
#include "stream/test_hooks.hpp"

namespace pa::stream {

// Reports while the run goes on (a live capture's --interval and SIGUSR1): between two
// packets, and whenever the input is idle, the provider asks `due`; when it says yes, the
// provider sends every open batch, waits for every acknowledgement and hands `write` the
// result of every packet so far, reassembly as it stands: what -c 0 reports at that packet.
struct InterimReports {
  std::function<bool()> due;
  // The time span is that of every record read so far (none before the first).
  std::function<void(const analysis::AnalysisResult& result, std::uint64_t packets,
                     const std::optional<report::RecordTimeSpan>& time_span)>
      write;
};

struct StreamSettings {
  std::string listen_address = "127.0.0.1";
  std::uint16_t port = 8000;  // 0 picks a free one
  // Lanes, and the connections the provider waits for before it starts.
  std::uint32_t connections = 10;
  // Whether this process also runs the consumers (-c COUNT) or waits for others (serve).
  bool in_process_consumers = true;
  std::uint16_t window = 4;                          // unacknowledged batches per lane
  std::size_t batch_bytes = std::size_t{128} << 10;  // a batch is sent once it reaches this
  std::optional<InterimReports> interim;
  // The secret shared with consumers in other processes (serve): empty for none. The
  // in-process mode (in_process_consumers) makes one of its own for every run instead.
  std::string secret;
  TestHooks hooks;
};

// Where the provider's packets come from: capture files in merged order, or a live capture,
// which may have nothing to give for a while.
class PacketSource {
 public:
  enum class Event : std::uint8_t { packet, idle, ended };

  virtual ~PacketSource() = default;
  // The next packet (its bytes valid until the next call), idle (nothing now: the provider
  // sends what waits and looks at its connections before asking again), or ended for good.
  virtual Event next(capture::PacketRecord& record) = 0;
  // The input's problems (cut-short records, corrupt structures), once it has ended.
  [[nodiscard]] virtual std::vector<std::string> problems() const = 0;
};

// Capture files read lazily and merged in timestamp order (capture::CaptureMerger).
std::unique_ptr<PacketSource> merged_files(
    std::vector<std::unique_ptr<capture::CaptureReader>> readers);

// What happened to the run's connections: an operator tells a clean run from a rescued one.
struct StreamHealth {
  std::uint32_t lanes = 0;
  std::uint64_t connections = 0;       // consumers that completed the hello
  std::uint64_t connections_lost = 0;  // while the run went on, stalls included
  std::uint64_t stalls = 0;            // lost for want of an acknowledgement in time
  std::uint64_t lanes_moved = 0;       // to another connection after a loss
  std::uint64_t batches_resent = 0;    // sent again, with the lanes they were in
  std::uint64_t peers_dropped = 0;     // peers dropped at the hello (not a consumer of ours)
  [[nodiscard]] bool clean() const { return connections_lost == 0 && peers_dropped == 0; }
};

struct StreamOutcome {
  analysis::AnalysisResult result;
  StreamHealth health;
  std::uint64_t packets_read = 0;
  std::optional<report::RecordTimeSpan> time_span;  // of every record the source gave
  std::vector<std::string> capture_warnings;  // the captures' problems, as direct mode has them
};

// The run could not give the whole answer (every connection lost, state that could not be
// rebuilt, a port in use): no report may be printed.
class StreamError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// SIGINT or SIGTERM ended the run.
class StreamInterrupted : public StreamError {
 public:
  using StreamError::StreamError;
};

using WarningSink = std::function<void(std::string_view)>;

// Serves the source's packets over `settings.connections` connections and merges the
// consumers' partial results: the same AnalysisResult as analyzing in-process.
// `on_listening` is told "ADDRESS:PORT" once the server listens. Throws StreamError.
StreamOutcome provide(std::unique_ptr<PacketSource> source,
                      const analysis::AnalysisOptions& options, const StreamSettings& settings,
                      const WarningSink& warn, const WarningSink& on_listening);

// Runs `connections` consumers against a provider at host:port until it says bye, with the
// secret shared with it (empty: none). Throws StreamError when a connection ends otherwise.
void consume(const std::string& host, std::uint16_t port, std::uint32_t connections,
             const TestHooks& hooks, const std::string& secret, const WarningSink& warn);

}  // namespace pa::stream
