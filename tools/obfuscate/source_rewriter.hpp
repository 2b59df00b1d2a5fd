#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "name_generator.hpp"
#include "project_scan.hpp"

namespace pa::obfuscate {

// What happened to one project spelling across all its tokens.
struct SpellingOutcome {
  std::size_t renamed = 0;
  std::size_t kept = 0;
  std::set<std::string> reasons;  // why tokens kept the spelling
};

// Decides, token by token, which identifiers get new names, then writes each project file
// without comments, with compact layout and with dead blocks inserted.
class SourceRewriter {
 public:
  SourceRewriter(const ScanResult& scan, const std::string& seed);

  // Throws Refusal naming the first place whose behaviour depends on names or lines.
  void check_refusals() const;
  std::string rewrite(const std::string& relative_path);

  const std::map<std::string, SpellingOutcome>& outcomes() const { return outcomes_; }
  // Reasons a declared spelling is kept where it is declared outside functions.
  std::set<std::string> keep_reasons(const std::string& spelling) const;

 private:
  enum class Decision { keep, rename };
  Decision decide(const std::string& spelling, std::uint32_t bits, std::string& reason) const;

  const ScanResult& scan_;
  std::set<std::string> taken_;
  NameGenerator names_;
  std::map<std::string, std::string> new_names_;
  std::set<std::string> local_pins_;
  std::map<std::string, SpellingOutcome> outcomes_;
};

}  // namespace pa::obfuscate
