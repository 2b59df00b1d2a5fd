#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>
#include <string_view>

#include "analysis/analyzer.hpp"
#include "report/run_summary.hpp"

namespace pa::report {

// Rows an HTML report shows when --top is not given: a page is for looking at.
inline constexpr std::size_t html_default_top = 20;

// Writes one self-contained XHTML page (no script, no fetched resource; inline SVG): the
// run's summary, a bar chart and table of the top names, the watched host's addresses and
// the source ports. Every text is escaped for HTML.
void write_html_report(std::ostream& out, const analysis::AnalysisResult& result,
                       const analysis::AnalysisOptions& options, const RunSummary& summary);

// `text` with & < > " ' as character references.
std::string html_escape(std::string_view text);

}  // namespace pa::report
