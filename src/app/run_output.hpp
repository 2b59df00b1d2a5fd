#pragma once

#include <string_view>

#include "app/capture_analysis.hpp"
#include "app/command_line.hpp"
#include "app/input_files.hpp"
#include "app/report_destination.hpp"

namespace pa::app {

// What every front end (packet-analysis, packet-analysis-mpi) says and writes around a run.

// "packet-analysis: KIND: MESSAGE" on standard error.
void print_line(std::string_view kind, std::string_view message);
void warn(std::string_view warning);

// The captures to read (rotated parts expanded, repeats dropped: input_files.hpp), with the
// notes and warnings the choice is worth; and -o must not name one of them. Throws
// UsageError when it does.
InputSelection choose_inputs(const CommandLine& options);

// Packets were read and not one of them decoded (or there were none): an empty report that
// says nothing about why would look like a capture without DNS. Names the main drop reason.
void warn_when_nothing_decoded(CaptureAnalysis& analysis);

// What the choice of inputs warned about belongs in the report's warnings too, first.
void add_selection_warnings(CaptureAnalysis& analysis, const InputSelection& selection);

// The report in the format asked for, whole or not at all.
void write_report(const CommandLine& options, ReportDestination& destination,
                  const CaptureAnalysis& analysis);

}  // namespace pa::app
