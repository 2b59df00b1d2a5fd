#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>

#include "analysis/analyzer.hpp"
#include "report/run_summary.hpp"

namespace pa::report {

// indented: a file's report. one_line: the same object on one line, for a stream of reports
// (JSON Lines) such as a live capture's periodic ones.
enum class JsonLayout : std::uint8_t { indented, one_line };

// Writes the machine-readable report described in docs/json-report.md (version 1), ending
// with a newline. Names use the text report's escaped form, and text that is not UTF-8 (a
// file name, say) has its bad bytes replaced, so the output is always valid JSON.
void write_json_report(std::ostream& out, const analysis::AnalysisResult& result,
                       const analysis::AnalysisOptions& options, const RunSummary& summary,
                       JsonLayout layout = JsonLayout::indented);

// A capture timestamp as ISO 8601 in UTC with nanoseconds: "2009-03-12T05:31:07.123456789Z".
std::string format_timestamp(std::int64_t timestamp_ns);

}  // namespace pa::report
