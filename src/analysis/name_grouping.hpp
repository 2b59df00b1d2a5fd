#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/analyzer.hpp"

namespace pa::analysis {

// The row a report-form name counts for under --group-by (docs/decisions.md, "Grouping"):
// - name: the name itself;
// - registrable_domain: the public suffix (Debian's list, through libpsl) and one label more;
// - tld: the last label.
// Names that have no such part stay whole: `<root>`, names with an escaped byte (a `\`),
// IPv4 literals (four labels of digits 0-255) and, for registrable_domain, names that are
// a public suffix themselves.
std::string group_of(std::string_view report_name, NameGrouping grouping);

// The name table with its rows merged per group (and type), in report order. Totals do not
// change: every query counts for exactly one group. `rows` is only read: the grouped table
// (at most as many rows) is built beside it.
std::vector<NameCount> group_rows(std::span<const NameCount> rows, NameGrouping grouping);

}  // namespace pa::analysis
