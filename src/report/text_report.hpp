#pragma once

#include <iosfwd>

#include "analysis/analyzer.hpp"

namespace pa::report {

// Writes the SPEC's text report byte for byte: the source ports section, then the domain name
// distribution. The title names the watched host in its report form (lower case, no trailing
// dot), whatever case the user typed it in.
void write_text_report(std::ostream& out, const analysis::AnalysisResult& result,
                       const analysis::AnalysisOptions& options);

}  // namespace pa::report
