#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "analysis/analyzer.hpp"

namespace pa::report {

// The name table as every report format lays it out: rows grouped (--group-by), the first
// --top of them shown and the rest folded into one row. Percentages stay shares of `total`.
struct NameTable {
  std::vector<analysis::NameCount> grouped;  // the rows when grouped; empty otherwise
  std::span<const analysis::NameCount> shown;
  bool folds = false;  // --top was given: a folded row exists (it may fold nothing)
  std::uint64_t folded_rows = 0;
  std::uint64_t folded_count = 0;
  std::uint64_t total = 0;
  bool show_type = false;  // more than one question type counts: a type column
};

// Views `result` without copying it, unless the rows are grouped.
NameTable make_name_table(const analysis::AnalysisResult& result,
                          const analysis::AnalysisOptions& options);

// "(12 other names)", or "(1 other name)": the folded row's name column.
std::string folded_label(std::uint64_t rows);

}  // namespace pa::report
