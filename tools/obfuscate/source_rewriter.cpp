#include "source_rewriter.hpp"

#include <array>
#include <string_view>

namespace pa::obfuscate {
namespace {

// Names the compiler itself looks up: range-for, structured bindings, coroutines.
constexpr std::array<std::string_view, 23> language_protocol = {
    "begin",
    "end",
    "cbegin",
    "cend",
    "rbegin",
    "rend",
    "size",
    "data",
    "get",
    "tuple_size",
    "tuple_element",
    "promise_type",
    "await_ready",
    "await_suspend",
    "await_resume",
    "get_return_object",
    "initial_suspend",
    "final_suspend",
    "return_value",
    "return_void",
    "yield_value",
    "unhandled_exception",
    "get_return_object_on_allocation_failure"};

std::string_view word(const ProjectFile& f, const Token& t) {
  return std::string_view{f.text.data() + t.offset, t.end - t.offset};
}

std::pair<std::size_t, std::size_t> line_column(const std::string& text, std::size_t offset) {
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

}  // namespace

SourceRewriter::SourceRewriter(const ScanResult& scan, const std::string& seed)
    : scan_(scan), taken_(scan.external_spellings), names_(seed, taken_) {
  for (const auto& [rel, file] : scan.files) {
    for (const Token& t : file.tokens) {
      if (t.kind == TokenKind::identifier) taken_.emplace(word(file, t));
    }
  }
  std::set<std::string> spellings;
  for (const auto& [name, d] : scan.declared) spellings.insert(name);
  spellings.insert(scan.macro_params.begin(), scan.macro_params.end());
  for (const std::string& s : spellings) new_names_.emplace(s, names_.name_for(s));

  // A kept word in a #define body may name a local of the function the macro expands in,
  // so locals with that spelling keep it too.
  for (const auto& [rel, file] : scan.files) {
    for (const Token& t : file.tokens) {
      auto found = file.evidence.find(t.offset);
      if (found == file.evidence.end() || (found->second & define_body) == 0) continue;
      const std::uint32_t bits = found->second;
      const std::string s{word(file, t)};
      std::string reason;
      auto d = scan.declared.find(s);
      if (d != scan.declared.end() && d->second.local &&
          decide(s, bits, reason) == Decision::keep) {
        local_pins_.insert(s);
      }
    }
  }
}

std::set<std::string> SourceRewriter::keep_reasons(const std::string& s) const {
  std::set<std::string> reasons;
  if (auto it = scan_.pinned.find(s); it != scan_.pinned.end()) reasons = it->second;
  if (auto it = scan_.pinned_everywhere.find(s); it != scan_.pinned_everywhere.end()) {
    reasons.insert(it->second.begin(), it->second.end());
  }
  auto d = scan_.declared.find(s);
  if (d != scan_.declared.end() && d->second.nonlocal) {
    if (auto it = scan_.called_spellings.find(s); it != scan_.called_spellings.end()) {
      reasons.insert("library code may call it by name (member, qualified name or call in " +
                     it->second + ")");
    }
    for (const std::string_view p : language_protocol) {
      if (p == s) reasons.insert("the language looks it up by name");
    }
  }
  return reasons;
}

SourceRewriter::Decision SourceRewriter::decide(const std::string& s, std::uint32_t bits,
                                                std::string& reason) const {
  if ((bits & fixed) != 0) {
    reason = "on an #include, #pragma, #error or #line line";
    return Decision::keep;
  }
  auto name = new_names_.find(s);
  if ((bits & macro_param) != 0 && name != new_names_.end()) return Decision::rename;
  if ((bits & conflict) != 0) {
    reason = "one use resolves to project and library declarations at once";
    return Decision::keep;
  }
  if ((bits & external) != 0) {
    reason = "used here for a library entity of the same name";
    return Decision::keep;
  }
  auto d = scan_.declared.find(s);
  if (name == new_names_.end() || d == scan_.declared.end()) {
    reason = "not declared by the project";
    return Decision::keep;
  }
  if (auto it = scan_.pinned_everywhere.find(s); it != scan_.pinned_everywhere.end()) {
    reason = *it->second.begin();
    return Decision::keep;
  }
  if ((bits & project_local) != 0 && (bits & (project_nonlocal | unresolved)) == 0) {
    if (local_pins_.contains(s)) {
      reason = "local whose name a #define body uses";
      return Decision::keep;
    }
    return Decision::rename;
  }
  const std::set<std::string> reasons = keep_reasons(s);
  if (!reasons.empty()) {
    reason = *reasons.begin();
    return Decision::keep;
  }
  if (!d->second.nonlocal && scan_.called_spellings.contains(s) && (bits & project_nonlocal) == 0) {
    reason = "unresolved use of a name library code also uses";
    return Decision::keep;
  }
  return Decision::rename;
}

void SourceRewriter::check_refusals() const {
  static constexpr std::array<std::string_view, 11> refused = {
      "__LINE__",       "__FILE__",           "__FILE_NAME__",       "__BASE_FILE__",
      "__func__",       "__FUNCTION__",       "__PRETTY_FUNCTION__", "__builtin_LINE",
      "__builtin_FILE", "__builtin_FUNCTION", "source_location"};
  for (const auto& [rel, file] : scan_.files) {
    const auto fail = [&](const Token& t, std::string_view what) {
      const auto [line, column] = line_column(file.text, t.offset);
      throw Refusal(rel + ":" + std::to_string(line) + ":" + std::to_string(column) + ": uses " +
                    std::string{what} +
                    ", whose value changes when names are renamed or lines move; "
                    "nothing written");
    };
    for (std::size_t i = 0; i < file.tokens.size(); ++i) {
      const Token& t = file.tokens[i];
      if (t.kind == TokenKind::comment || t.kind == TokenKind::literal) {
        continue;
      }
      const std::string_view w = word(file, t);
      for (const std::string_view r : refused) {
        if (w == r) fail(t, r);
      }
      if (t.directive >= 0 && (w == "magic_enum" || w == "nameof")) {
        fail(t, std::string{w} + " (which prints declared names)");
      }
      if (w == "typeid") {
        // typeid(...).name() prints the mangled, hence renamed, name.
        std::size_t k = i + 1;
        int depth = 0;
        for (; k < file.tokens.size(); ++k) {
          const std::string_view p = word(file, file.tokens[k]);
          if (p == "(") ++depth;
          if (p == ")" && --depth == 0) break;
        }
        if (k + 2 < file.tokens.size() && word(file, file.tokens[k + 1]) == "." &&
            word(file, file.tokens[k + 2]) == "name") {
          fail(t, "typeid(...).name()");
        }
      }
    }
  }
}

std::string SourceRewriter::rewrite(const std::string& rel) {
  const ProjectFile& file = scan_.files.at(rel);
  std::string out;
  out.reserve(file.text.size());
  std::size_t previous_end = 0;
  bool gap_newline = false;
  bool gap_splice = false;
  bool gap_space = false;
  const Token* previous = nullptr;
  for (const Token& t : file.tokens) {
    const std::string_view gap{file.text.data() + previous_end, t.offset - previous_end};
    for (std::size_t k = 0; k < gap.size(); ++k) {
      if (gap[k] == '\n') {
        std::size_t j = k;
        if (j > 0 && gap[j - 1] == '\r') --j;
        (j > 0 && gap[j - 1] == '\\' ? gap_splice : gap_newline) = true;
      }
    }
    if (!gap.empty()) gap_space = true;
    previous_end = t.end;
    if (t.kind == TokenKind::comment) {
      // Translation phase 3: a comment is one space.
      gap_space = true;
      continue;
    }
    if (previous != nullptr) {
      if (gap_newline) {
        out += '\n';
      } else if (gap_splice && t.directive >= 0) {
        out += " \\\n";
      } else if (gap_space || gap_splice) {
        out += ' ';
      }
    }
    gap_newline = gap_splice = gap_space = false;
    previous = &t;
    const std::string_view w = word(file, t);
    if (t.kind == TokenKind::identifier) {
      const std::string s{w};
      auto bits = file.evidence.find(t.offset);
      std::string reason;
      const Decision decision =
          decide(s, bits == file.evidence.end() ? unresolved : bits->second, reason);
      const bool declared = scan_.declared.contains(s);
      if (decision == Decision::rename) {
        out += new_names_.at(s);
        if (declared) ++outcomes_[s].renamed;
      } else {
        out += w;
        if (declared) {
          SpellingOutcome& o = outcomes_[s];
          ++o.kept;
          o.reasons.insert(reason);
        }
      }
    } else {
      out += w;
    }
    if (w == "{" && t.directive < 0 && file.junk_sites.contains(t.end)) {
      const std::string junk = names_.junk_for(rel, t.end);
      const std::uint64_t h = keyed_hash(junk, rel, t.end);
      const std::string a = std::to_string(h % 97 + 1);
      const std::string b = std::to_string((h >> 8) % 89 + 2);
      const std::string c = std::to_string((h >> 16) % 83 + 3);
      out += " if constexpr ((" + a + " - " + a + ") != 0) { int " + junk + " = " + b + " * " + c +
             "; (void)" + junk + "; }";
    }
  }
  out += '\n';
  return out;
}

}  // namespace pa::obfuscate
