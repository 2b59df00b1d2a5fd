#include "app/run_output.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <string>

#include "base/drop_reason.hpp"
#include "report/csv_report.hpp"
#include "report/html_report.hpp"
#include "report/json_report.hpp"
#include "report/text_report.hpp"

namespace pa::app {

void print_line(std::string_view kind, std::string_view message) {
  std::fprintf(stderr, "packet-analysis: %.*s: %.*s\n", static_cast<int>(kind.size()), kind.data(),
               static_cast<int>(message.size()), message.data());
}

void write_report(const CommandLine& options, ReportDestination& destination,
                  const CaptureAnalysis& analysis) {
  destination.write_with([&](std::ostream& out) {
    if (options.format == ReportFormat::json) {
      report::write_json_report(out, analysis.result, options.analysis, analysis.summary);
    } else if (options.format == ReportFormat::csv) {
      report::write_csv_report(out, analysis.result, options.analysis, analysis.summary);
    } else if (options.format == ReportFormat::html) {
      report::write_html_report(out, analysis.result, options.analysis, analysis.summary);
    } else {
      report::write_text_report(out, analysis.result, options.analysis);
    }
  });
}

void warn(std::string_view warning) { print_line("warning", warning); }

// The captures to read (rotated parts expanded, repeats dropped: input_files.hpp), with the
// notes and warnings the choice is worth; and -o must not name one of them. Throws
// UsageError when it does.
InputSelection choose_inputs(const CommandLine& options) {
  auto selection = select_inputs(options.capture_files, options.expand_rotation);
  if (!options.quiet) {
    for (const std::string& note : selection.notes) print_line("info", note);
  }
  for (const std::string& warning : selection.warnings) warn(warning);
  if (options.output_path) {
    if (const auto input = input_named_by(*options.output_path, selection.paths)) {
      throw UsageError(
          *options.output_path == *input
              ? fmt::format("-o {}: is one of the captures read; the report would replace it",
                            *input)
              : fmt::format("-o {}: is the capture {}; the report would replace it",
                            *options.output_path, *input));
    }
  }
  return selection;
}

// Packets were read and not one of them decoded (or there were none): an empty report that
// says nothing about why would look like a capture without DNS. Names the main drop reason.
void warn_when_nothing_decoded(CaptureAnalysis& analysis) {
  const std::uint64_t packets = analysis.summary.packets_read;
  const auto& result = analysis.result;
  if (packets != 0 && result.skipped_packets < packets) return;
  std::string message;
  if (packets == 0) {
    message = "the captures hold no packets: the report is empty";
  } else {
    auto main_reason = base::Drop::link_type_unsupported;
    for (std::size_t i = 0; i < base::drop_reason_count; ++i) {
      const auto reason = static_cast<base::Drop>(i);
      if (result.drops[reason] > result.drops[main_reason]) main_reason = reason;
    }
    const std::uint64_t most = result.drops[main_reason];
    message = fmt::format("nothing decoded: {} skipped, {} as {} (docs/drop-reasons.md)",
                          packets == 1 ? std::string("the one packet was")
                                       : fmt::format("all {} packets were", packets),
                          most == packets ? std::string(packets == 1 ? "it" : "all")
                                          : fmt::format("{} of them", most),
                          base::to_string(main_reason));
  }
  warn(message);
  analysis.summary.warnings.push_back(message);
}

// What the choice of inputs warned about belongs in the report's warnings too, first.
void add_selection_warnings(CaptureAnalysis& analysis, const InputSelection& selection) {
  auto& warnings = analysis.summary.warnings;
  warnings.insert(warnings.begin(), selection.warnings.begin(), selection.warnings.end());
}

}  // namespace pa::app
