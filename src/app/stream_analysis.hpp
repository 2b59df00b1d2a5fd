#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "app/capture_analysis.hpp"
#include "stream/stream_mode.hpp"

namespace pa::app {

// The stream mode's counterpart of analyze_captures: opens every capture first (throwing
// capture::CaptureError before the server listens), then serves them over the connections of
// `settings` and merges what comes back (docs/stream-protocol.md). The outcome is the one
// analyze_captures gives, with what happened to the connections. Throws stream::StreamError
// (stream::StreamInterrupted on a signal).
struct StreamedAnalysis : CaptureAnalysis {
  stream::StreamHealth health;
};

StreamedAnalysis analyze_captures_streamed(const std::vector<std::string>& paths,
                                           const analysis::AnalysisOptions& options,
                                           const stream::StreamSettings& settings,
                                           const stream::WarningSink& warn,
                                           const stream::WarningSink& on_listening);

// The closing line of a stream run: "stream run clean: 3 connections for 3 lanes", or
// "stream run rescued: ..." with what was lost, moved and sent again.
std::string describe_health(const stream::StreamHealth& health);

}  // namespace pa::app
