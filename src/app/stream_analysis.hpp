#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/capture_analysis.hpp"
#include "stream/stream_mode.hpp"

namespace pa::app {

// The stream mode's counterpart of analyze_captures: opens every capture first (throwing
// capture::CaptureError before the server listens), then serves them over the connections of
// `settings` and merges what comes back (docs/stream-protocol.md). The outcome is the one
// analyze_captures gives, with what happened to the connections. `show_progress` draws the
// progress line of the captures' reading. Throws stream::StreamError (stream::StreamInterrupted
// on a signal).
struct StreamedAnalysis : CaptureAnalysis {
  stream::StreamHealth health;
};

StreamedAnalysis analyze_captures_streamed(const std::vector<std::string>& paths,
                                           const analysis::AnalysisOptions& options,
                                           const stream::StreamSettings& settings,
                                           const stream::WarningSink& warn,
                                           const stream::WarningSink& on_listening,
                                           bool show_progress = false);

// The closing line of a stream run: "stream run clean: 3 connections for 3 lanes", or
// "stream run rescued: ..." with what was lost, moved and sent again.
std::string describe_health(const stream::StreamHealth& health);

// The secret serve and consume share: the contents of `file` (a trailing newline dropped),
// else the environment variable PA_STREAM_SECRET, else none (empty). Throws UsageError for a
// secret shorter than stream::min_secret_bytes, std::runtime_error for a file that cannot be
// read; warns when the file is readable by other users.
std::string read_stream_secret(const std::optional<std::string>& file,
                               const stream::WarningSink& warn);

// serve without a secret is refused on any address but loopback (anyone who reaches the port
// could join and change the report) unless `allowed` (--allow-unauthenticated). Throws
// UsageError.
void check_unauthenticated_listen(const std::string& listen_address, bool has_secret, bool allowed);

}  // namespace pa::app
