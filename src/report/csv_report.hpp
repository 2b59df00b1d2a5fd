#pragma once

#include <iosfwd>
#include <string>
#include <string_view>

#include "analysis/analyzer.hpp"
#include "report/run_summary.hpp"

namespace pa::report {

// Writes the report as one CSV table (RFC 4180: CRLF line ends, fields with a comma, quote
// or line break quoted) whose `section` column tells the results apart: summary, name,
// folded, address, port. docs/results.md lists the columns.
void write_csv_report(std::ostream& out, const analysis::AnalysisResult& result,
                      const analysis::AnalysisOptions& options, const RunSummary& summary);

// One CSV field, quoted when it must be.
std::string csv_field(std::string_view text);

}  // namespace pa::report
