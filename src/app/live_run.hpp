#pragma once

#include "app/command_line.hpp"

namespace pa::app {

// -D: prints the interfaces -i can capture on, numbered, one per line (as tcpdump -D does).
// Returns the exit status; throws capture::live::LiveCaptureError when pcap cannot list them.
int list_live_interfaces();

// -i: captures on options.live->interface until --duration, --packets, SIGINT or SIGTERM,
// analyzes as a capture file of the same packets would be (in-process, or through the stream
// mode's provider with -c COUNT), and writes the final report as for a file. --interval and
// SIGUSR1 write cumulative reports to standard output while capturing (in-process only).
// Returns the exit status; throws std::exception for errors, with a one-line message
// (capture::live::LiveCaptureError for the interface and the filter).
int run_live(const CommandLine& options);

}  // namespace pa::app
