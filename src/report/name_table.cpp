#include "report/name_table.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "analysis/name_grouping.hpp"

namespace pa::report {

NameTable make_name_table(const analysis::AnalysisResult& result,
                          const analysis::AnalysisOptions& options) {
  NameTable table;
  table.total = result.total_queries;
  table.show_type = options.shows_type();
  std::span<const analysis::NameCount> rows = result.query_counts;
  if (options.group_by != analysis::NameGrouping::name) {
    table.grouped = analysis::group_rows(result.query_counts, options.group_by);
    rows = table.grouped;
  }
  if (!options.top) {
    table.shown = rows;
    return table;
  }
  // Cut by the table's order: ties at the cut go to the rows sorted first.
  const std::size_t shown = std::min(*options.top, rows.size());
  table.shown = rows.first(shown);
  table.folds = true;
  for (const analysis::NameCount& row : rows.subspan(shown)) {
    ++table.folded_rows;
    table.folded_count += row.count;
  }
  return table;
}

std::string folded_label(std::uint64_t rows) {
  return fmt::format("({} other {})", rows, rows == 1 ? "name" : "names");
}

}  // namespace pa::report
