#include "project_scan.hpp"

#include <clang-c/CXCompilationDatabase.h>
#include <clang-c/Index.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <sstream>
#include <string_view>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <utility>

namespace pa::obfuscate {
namespace fs = std::filesystem;

std::string relative_to(const fs::path& path, const fs::path& root) {
  return path.lexically_relative(root).generic_string();
}

namespace {

std::string take(CXString s) {
  const char* c = clang_getCString(s);
  std::string out = c != nullptr ? c : "";
  clang_disposeString(s);
  return out;
}

bool is_identifier(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return !(s[0] >= '0' && s[0] <= '9');
}

bool under(const fs::path& path, const fs::path& folder) {
  auto p = path.begin();
  for (auto f = folder.begin(); f != folder.end(); ++f, ++p) {
    if (p == path.end() || *p != *f) return false;
  }
  return true;
}

struct FileLocation {
  CXFile file = nullptr;
  unsigned offset = 0;
};

FileLocation expansion_of(CXSourceLocation loc) {
  FileLocation out;
  clang_getExpansionLocation(loc, &out.file, nullptr, nullptr, &out.offset);
  return out;
}

FileLocation spelling_of(CXSourceLocation loc) {
  FileLocation out;
  clang_getSpellingLocation(loc, &out.file, nullptr, nullptr, &out.offset);
  return out;
}

bool is_function_kind(CXCursorKind k) {
  return k == CXCursor_FunctionDecl || k == CXCursor_CXXMethod || k == CXCursor_Constructor ||
         k == CXCursor_Destructor || k == CXCursor_ConversionFunction ||
         k == CXCursor_FunctionTemplate || k == CXCursor_LambdaExpr;
}

bool is_local(CXCursor c) {
  const CXCursorKind k = clang_getCursorKind(c);
  if (k == CXCursor_ParmDecl || k == CXCursor_TemplateTypeParameter ||
      k == CXCursor_NonTypeTemplateParameter || k == CXCursor_TemplateTemplateParameter ||
      k == CXCursor_LabelStmt) {
    return true;
  }
  return is_function_kind(clang_getCursorKind(clang_getCursorSemanticParent(c)));
}

// Constructors and destructors are spelled with their class's name.
CXCursor naming_cursor(CXCursor c) {
  const CXCursorKind k = clang_getCursorKind(c);
  if (k == CXCursor_Constructor || k == CXCursor_Destructor) {
    return clang_getCursorSemanticParent(c);
  }
  return c;
}

// Everything one translation unit contributes; merged in a fixed order afterwards.
struct UnitResult {
  std::map<std::string, ProjectFile> files;
  std::map<std::string, Declared> declared;
  std::map<std::string, std::set<std::string>> pinned;
  std::map<std::string, std::set<std::string>> pinned_everywhere;
  std::set<std::string> macro_params;
  std::vector<std::string> external_files;
  // Classes, structs, unions and enums the unit declares without defining, and those it
  // defines: a type the whole project declares and never defines is someone else's.
  std::set<std::string> types_declared_only;
  std::set<std::string> types_defined;
};

struct Shared {
  const ScanOptions& options;
  std::vector<fs::path> project_dirs;
  std::mutex mutex;
  std::set<std::string> tokenized_external;  // canonical paths already read for words
  std::set<std::string> external_spellings;
  std::map<std::string, std::string> called_spellings;
};

class UnitScanner {
 public:
  UnitScanner(Shared& shared, CXTranslationUnit tu) : shared_(shared), tu_(tu) {}

  UnitResult run() {
    collect_files();
    clang_visitChildren(clang_getTranslationUnitCursor(tu_), &UnitScanner::visit_thunk, this);
    for (auto& [rel, file] : files_) annotate(rel, file);
    pin_macro_arguments();
    read_external_words();
    UnitResult out;
    for (auto& [rel, file] : files_) out.files.emplace(rel, std::move(file.project));
    out.declared = std::move(declared_);
    out.pinned = std::move(pinned_);
    out.pinned_everywhere = std::move(pinned_everywhere_);
    out.macro_params = std::move(macro_params_);
    out.types_declared_only = std::move(types_declared_only_);
    out.types_defined = std::move(types_defined_);
    return out;
  }

 private:
  struct FileState {
    CXFile file = nullptr;
    ProjectFile project;
  };

  struct Expansion {
    std::string file;
    unsigned begin = 0;
    unsigned end = 0;
    std::string macro;
  };

  static CXChildVisitResult visit_thunk(CXCursor c, CXCursor parent, CXClientData data) {
    return static_cast<UnitScanner*>(data)->visit(c, parent);
  }

  // The relative path of a project file, or empty when the file is external.
  std::string project_path(CXFile file) {
    if (file == nullptr) return {};
    if (auto it = file_names_.find(file); it != file_names_.end()) return it->second;
    const fs::path raw = take(clang_getFileName(file));
    std::error_code ec;
    fs::path canonical = fs::weakly_canonical(raw, ec);
    if (ec) canonical = raw;
    std::string rel;
    const bool excluded =
        std::any_of(shared_.options.excluded.begin(), shared_.options.excluded.end(),
                    [&](const fs::path& e) { return under(canonical, e); });
    if (!excluded) {
      for (const fs::path& dir : shared_.project_dirs) {
        if (under(canonical, dir)) {
          rel = relative_to(canonical, shared_.options.root);
          break;
        }
      }
    }
    file_names_.emplace(file, rel);
    if (rel.empty()) external_files_.insert(canonical.string());
    return rel;
  }

  void collect_files() {
    clang_getInclusions(
        tu_,
        [](CXFile included, CXSourceLocation*, unsigned, CXClientData data) {
          auto* self = static_cast<UnitScanner*>(data);
          const std::string rel = self->project_path(included);
          if (!rel.empty() && !self->files_.contains(rel)) {
            FileState state;
            state.file = included;
            self->files_.emplace(rel, std::move(state));
          }
        },
        this);
  }

  std::string place(CXCursor c) {
    const FileLocation at = expansion_of(clang_getCursorLocation(c));
    unsigned line = 0;
    clang_getExpansionLocation(clang_getCursorLocation(c), nullptr, &line, nullptr, nullptr);
    return project_path(at.file) + ":" + std::to_string(line);
  }

  bool is_project(CXCursor c) {
    return !project_path(expansion_of(clang_getCursorLocation(c)).file).empty();
  }

  // True when `c` redeclares or specializes something declared outside the project, so
  // its name belongs to that outside declaration.
  bool belongs_outside(CXCursor c) {
    const CXCursor canonical = clang_getCanonicalCursor(c);
    if (!clang_equalCursors(canonical, c) && !is_project(canonical)) return true;
    const CXCursor templ = clang_getSpecializedCursorTemplate(c);
    if (!clang_Cursor_isNull(templ) && !is_project(templ)) return true;
    return false;
  }

  // The name of the outside template this class (or one enclosing it) specializes.
  std::string outside_specialization(CXCursor c) {
    for (CXCursor p = clang_getCursorSemanticParent(c);
         !clang_Cursor_isNull(p) && clang_getCursorKind(p) != CXCursor_TranslationUnit;
         p = clang_getCursorSemanticParent(p)) {
      const CXCursor templ = clang_getSpecializedCursorTemplate(p);
      if (!clang_Cursor_isNull(templ) && !is_project(templ)) {
        return take(clang_getCursorDisplayName(templ));
      }
    }
    return {};
  }

  std::string outside_override(CXCursor method) {
    CXCursor* overridden = nullptr;
    unsigned count = 0;
    clang_getOverriddenCursors(method, &overridden, &count);
    std::string found;
    for (unsigned i = 0; i < count && found.empty(); ++i) {
      if (!is_project(overridden[i])) {
        found = take(clang_getCursorSpelling(clang_getCursorSemanticParent(overridden[i]))) +
                "::" + take(clang_getCursorSpelling(overridden[i]));
      } else {
        found = outside_override(overridden[i]);
      }
    }
    if (overridden != nullptr) clang_disposeOverriddenCursors(overridden);
    return found;
  }

  bool in_extern_c(CXCursor parent) {
    const CXCursorKind k = clang_getCursorKind(parent);
    if (k == CXCursor_LinkageSpec) return true;
    if (k != CXCursor_UnexposedDecl) return false;
    CXToken* tokens = nullptr;
    unsigned count = 0;
    clang_tokenize(tu_, clang_getCursorExtent(parent), &tokens, &count);
    const bool yes = count >= 2 && take(clang_getTokenSpelling(tu_, tokens[0])) == "extern" &&
                     take(clang_getTokenSpelling(tu_, tokens[1])) == "\"C\"";
    clang_disposeTokens(tu_, tokens, count);
    return yes;
  }

  void pin(std::string_view spelling, std::string reason) {
    pinned_[std::string{spelling}].insert(std::move(reason));
  }

  void pin_everywhere(std::string_view spelling, std::string reason) {
    pinned_everywhere_[std::string{spelling}].insert(std::move(reason));
  }

  CXChildVisitResult visit(CXCursor c, CXCursor parent) {
    const CXCursorKind kind = clang_getCursorKind(c);
    const FileLocation at = expansion_of(clang_getCursorLocation(c));
    const std::string rel = project_path(at.file);
    if (kind == CXCursor_MacroDefinition) {
      macros_.emplace(take(clang_getCursorSpelling(c)), c);
      if (!rel.empty()) {
        Declared& d = declared_[take(clang_getCursorSpelling(c))];
        d.nonlocal = true;
        if (d.where.empty()) d.where = place(c);
      }
      return CXChildVisit_Continue;
    }
    if (rel.empty()) return CXChildVisit_Continue;
    if (kind == CXCursor_MacroExpansion) {
      const CXSourceRange extent = clang_getCursorExtent(c);
      const FileLocation b = spelling_of(clang_getRangeStart(extent));
      const FileLocation e = spelling_of(clang_getRangeEnd(extent));
      if (project_path(b.file) == rel && b.offset == at.offset) {
        expansions_.push_back({rel, b.offset, e.offset, take(clang_getCursorSpelling(c))});
      }
      return CXChildVisit_Continue;
    }
    if (kind == CXCursor_InclusionDirective) return CXChildVisit_Continue;
    if (kind == CXCursor_CompoundStmt && clang_getCursorKind(parent) != CXCursor_SwitchStmt) {
      const FileLocation s = spelling_of(clang_getRangeStart(clang_getCursorExtent(c)));
      auto f = files_.find(rel);
      if (s.file != nullptr && project_path(s.file) == rel && s.offset == at.offset &&
          f != files_.end()) {
        size_t size = 0;
        const char* text = clang_getFileContents(tu_, f->second.file, &size);
        if (text != nullptr && s.offset < size && text[s.offset] == '{') {
          f->second.project.junk_sites.insert(s.offset + 1);
        }
      }
    }
    if (clang_isDeclaration(kind) || kind == CXCursor_LabelStmt) declare(c, parent, kind, at);
    return CXChildVisit_Recurse;
  }

  void declare(CXCursor c, CXCursor parent, CXCursorKind kind, const FileLocation& at) {
    if (kind == CXCursor_Constructor || kind == CXCursor_Destructor ||
        kind == CXCursor_ConversionFunction || kind == CXCursor_UsingDeclaration ||
        kind == CXCursor_UsingDirective || kind == CXCursor_FriendDecl ||
        kind == CXCursor_StaticAssert || kind == CXCursor_CXXAccessSpecifier ||
        kind == CXCursor_LinkageSpec) {
      return;
    }
    const std::string name = take(clang_getCursorSpelling(c));
    if (!is_identifier(name) || name.starts_with("operator")) return;
    if (belongs_outside(c)) return;
    const bool local = is_local(c);
    if (kind == CXCursor_StructDecl || kind == CXCursor_ClassDecl || kind == CXCursor_UnionDecl ||
        kind == CXCursor_EnumDecl || kind == CXCursor_ClassTemplate) {
      (clang_isCursorDefinition(c) != 0 ? types_defined_ : types_declared_only_).insert(name);
    }
    Declared& d = declared_[name];
    (local ? d.local : d.nonlocal) = true;
    if (d.where.empty()) d.where = place(c);

    // A name that is not written where the declaration is was made by a macro (`##`, or a
    // macro body outside the project): every use must keep it, and so must the arguments.
    const FileLocation s = spelling_of(clang_getCursorLocation(c));
    bool written = false;
    if (s.file != nullptr && !project_path(s.file).empty()) {
      size_t size = 0;
      const char* text = clang_getFileContents(tu_, s.file, &size);
      written = text != nullptr && s.offset + name.size() <= size &&
                std::string_view{text + s.offset, name.size()} == name;
    }
    if (!written) {
      generated_.push_back({project_path(at.file), at.offset, name});
      return;
    }
    if (local) return;
    if (kind == CXCursor_FunctionDecl && name == "main" &&
        clang_getCursorKind(clang_getCursorSemanticParent(c)) == CXCursor_TranslationUnit) {
      pin(name, "program entry point");
    }
    if (kind == CXCursor_CXXMethod) {
      if (const std::string base = outside_override(c); !base.empty()) {
        pin(name, "overrides " + base);
      }
    }
    if (const std::string templ = outside_specialization(c); !templ.empty()) {
      pin(name, "member of a specialization of " + templ);
    }
    if (in_extern_c(parent)) pin(name, "extern \"C\"");
  }

  // Which macros turn an argument into a string, directly (`#x`) or through the macros
  // their body expands.
  bool stringifies(const std::string& macro, std::set<std::string>& visiting) {
    if (auto it = stringifies_.find(macro); it != stringifies_.end()) return it->second;
    auto def = macros_.find(macro);
    if (def == macros_.end() || !visiting.insert(macro).second) return false;
    CXToken* tokens = nullptr;
    unsigned count = 0;
    clang_tokenize(tu_, clang_getCursorExtent(def->second), &tokens, &count);
    std::vector<std::string> words;
    std::vector<CXTokenKind> kinds;
    for (unsigned i = 0; i < count; ++i) {
      words.push_back(take(clang_getTokenSpelling(tu_, tokens[i])));
      kinds.push_back(clang_getTokenKind(tokens[i]));
    }
    clang_disposeTokens(tu_, tokens, count);
    std::size_t body = 1;
    if (clang_Cursor_isMacroFunctionLike(def->second) != 0) {
      while (body < words.size() && words[body] != ")") ++body;
      ++body;
    }
    bool yes = false;
    for (std::size_t i = body; i < words.size() && !yes; ++i) {
      if (words[i] == "#" && i + 1 < words.size() && kinds[i + 1] == CXToken_Identifier) {
        yes = true;
      } else if (kinds[i] == CXToken_Identifier && words[i] != macro &&
                 macros_.contains(words[i])) {
        yes = stringifies(words[i], visiting);
      }
    }
    stringifies_[macro] = yes;
    return yes;
  }

  void pin_macro_arguments() {
    for (const auto& [rel, offset, name] : generated_) {
      std::string macro = "a macro";
      for (const Expansion& e : expansions_) {
        if (e.file == rel && e.begin <= offset && offset <= e.end) {
          macro = e.macro;
          pinned_expansions_.push_back({e, "pasted into a declared name by " + e.macro});
          break;
        }
      }
      pin_everywhere(name, "declared name made by macro " + macro);
    }
    for (const Expansion& e : expansions_) {
      std::set<std::string> visiting;
      if (stringifies(e.macro, visiting)) {
        pinned_expansions_.push_back({e, "argument of " + e.macro + ", which makes it a string"});
      }
    }
    for (const auto& [e, reason] : pinned_expansions_) {
      auto f = files_.find(e.file);
      if (f == files_.end()) continue;
      bool first = true;
      for (const Token& t : f->second.project.tokens) {
        if (t.offset < e.begin || t.offset > e.end || t.kind != TokenKind::identifier) continue;
        if (first) {  // the macro's own name
          first = false;
          continue;
        }
        pin_everywhere(f->second.project.text.substr(t.offset, t.end - t.offset), reason);
      }
    }
  }

  static std::vector<Token> tokens_of(CXTranslationUnit tu, CXToken* tokens, unsigned count) {
    std::vector<Token> out;
    out.reserve(count);
    for (unsigned i = 0; i < count; ++i) {
      Token t;
      const CXSourceRange extent = clang_getTokenExtent(tu, tokens[i]);
      t.offset = spelling_of(clang_getRangeStart(extent)).offset;
      t.end = spelling_of(clang_getRangeEnd(extent)).offset;
      switch (clang_getTokenKind(tokens[i])) {
        case CXToken_Punctuation:
          t.kind = TokenKind::punctuation;
          break;
        case CXToken_Keyword:
          t.kind = TokenKind::keyword;
          break;
        case CXToken_Identifier:
          t.kind = TokenKind::identifier;
          break;
        case CXToken_Literal:
          t.kind = TokenKind::literal;
          break;
        case CXToken_Comment:
          t.kind = TokenKind::comment;
          break;
      }
      out.push_back(t);
    }
    return out;
  }

  // A directive starts at a `#` that begins a line and ends at the first new-line that is
  // not spliced away (comments are tokens, so new-lines inside them do not count).
  static void mark_directives(ProjectFile& f) {
    std::int32_t current = -1;
    std::int32_t next_id = 0;
    bool line_start = true;
    std::size_t previous_end = 0;
    for (std::size_t i = 0; i < f.tokens.size(); ++i) {
      Token& t = f.tokens[i];
      const std::string_view gap{f.text.data() + previous_end, t.offset - previous_end};
      bool newline = i == 0;
      for (std::size_t k = 0; k < gap.size(); ++k) {
        if (gap[k] != '\n') continue;
        std::size_t j = k;
        if (j > 0 && gap[j - 1] == '\r') --j;
        if (j == 0 || gap[j - 1] != '\\') newline = true;
      }
      if (newline) {
        current = -1;
        line_start = true;
      }
      if (line_start && t.kind == TokenKind::punctuation &&
          std::string_view{f.text.data() + t.offset, t.end - t.offset} == "#") {
        current = next_id++;
      }
      if (t.kind != TokenKind::comment) line_start = false;
      t.directive = current;
      previous_end = t.end;
    }
  }

  void annotate(const std::string& rel, FileState& state) {
    ProjectFile& f = state.project;
    size_t size = 0;
    const char* text = clang_getFileContents(tu_, state.file, &size);
    f.text.assign(text != nullptr ? text : "", size);
    const CXSourceRange range =
        clang_getRange(clang_getLocationForOffset(tu_, state.file, 0),
                       clang_getLocationForOffset(tu_, state.file, static_cast<unsigned>(size)));
    CXToken* tokens = nullptr;
    unsigned count = 0;
    clang_tokenize(tu_, range, &tokens, &count);
    std::vector<CXCursor> cursors(count);
    clang_annotateTokens(tu_, tokens, count, cursors.data());
    f.tokens = tokens_of(tu_, tokens, count);
    mark_directives(f);
    const auto word = [&](std::size_t i) {
      return std::string_view{f.text.data() + f.tokens[i].offset,
                              f.tokens[i].end - f.tokens[i].offset};
    };

    // Per directive: its name, and for #define the parameters.
    std::int32_t directive = -1;
    std::string directive_name;
    std::set<std::string> params;
    std::size_t body_start = 0;
    std::size_t position = 0;  // index of the token inside its directive
    for (std::size_t i = 0; i < f.tokens.size(); ++i) {
      const Token& t = f.tokens[i];
      if (t.kind == TokenKind::comment) continue;
      if (t.directive != directive) {
        directive = t.directive;
        directive_name.clear();
        params.clear();
        body_start = 0;
        position = 0;
      }
      const std::size_t pos = position++;
      if (t.kind != TokenKind::identifier && t.kind != TokenKind::keyword) continue;
      const std::string_view w = word(i);
      if (directive >= 0) {
        std::uint32_t bits = unresolved;
        if (pos == 1) {
          directive_name = w;
          bits = fixed;
        } else if (directive_name == "include" || directive_name == "include_next" ||
                   directive_name == "import" || directive_name == "pragma" ||
                   directive_name == "error" || directive_name == "warning" ||
                   directive_name == "line") {
          bits = fixed;
        } else if (directive_name == "define") {
          if (pos == 2) {
            // A function-like macro's `(` touches its name.
            if (i + 1 < f.tokens.size() && f.tokens[i + 1].offset == t.end && word(i + 1) == "(") {
              std::size_t k = i + 2;
              for (; k < f.tokens.size() && word(k) != ")"; ++k) {
                if (f.tokens[k].kind == TokenKind::identifier) {
                  params.emplace(word(k));
                  macro_params_.emplace(word(k));
                }
              }
              body_start = k + 1;
            } else {
              body_start = i + 1;
            }
          } else if (body_start == 0 || i < body_start) {
            bits = macro_param;
          } else if (w == "__VA_ARGS__" || w == "__VA_OPT__") {
            bits = fixed;
          } else if (params.contains(std::string{w})) {
            bits = macro_param;
          } else {
            bits = unresolved | Evidence::define_body;
          }
        }
        if (t.kind == TokenKind::identifier || bits == fixed) f.evidence[t.offset] |= bits;
        continue;
      }
      if (t.kind != TokenKind::identifier) continue;
      f.evidence[t.offset] |= evidence_for(cursors[i], w, t.offset);
    }
    clang_disposeTokens(tu_, tokens, count);
    (void)rel;
  }

  // Annotation gives the innermost cursor covering a token, which for an implicit
  // conversion or an overloaded operator is not the reference itself: look below it for a
  // cursor that starts at the token and refers to something spelled like it.
  static CXCursor reference_below(CXCursor c, unsigned offset, std::string_view w) {
    struct Search {
      unsigned offset;
      std::string_view word;
      CXCursor found;
    } search{offset, w, clang_getNullCursor()};
    clang_visitChildren(
        c,
        [](CXCursor child, CXCursor, CXClientData data) {
          auto* s = static_cast<Search*>(data);
          if (spelling_of(clang_getCursorLocation(child)).offset == s->offset) {
            const CXCursor ref = clang_getCursorReferenced(child);
            if (!clang_Cursor_isNull(ref) && !clang_isInvalid(clang_getCursorKind(ref)) &&
                take(clang_getCursorSpelling(naming_cursor(ref))) == s->word) {
              s->found = ref;
              return CXChildVisit_Break;
            }
          }
          return CXChildVisit_Recurse;
        },
        &search);
    return search.found;
  }

  std::uint32_t evidence_for(CXCursor c, std::string_view w, unsigned offset) {
    CXCursor ref = clang_getCursorReferenced(c);
    if (clang_Cursor_isNull(ref) || clang_isInvalid(clang_getCursorKind(ref)) ||
        (clang_getCursorKind(ref) != CXCursor_OverloadedDeclRef &&
         take(clang_getCursorSpelling(naming_cursor(ref))) != w)) {
      ref = reference_below(c, offset, w);
    }
    if (clang_Cursor_isNull(ref) || clang_isInvalid(clang_getCursorKind(ref))) return unresolved;
    if (clang_getCursorKind(ref) == CXCursor_OverloadedDeclRef) {
      const unsigned n = clang_getNumOverloadedDecls(ref);
      bool inside = false;
      bool outside = false;
      for (unsigned i = 0; i < n; ++i) {
        const CXCursor d = clang_getOverloadedDecl(ref, i);
        if (take(clang_getCursorSpelling(d)) != w) continue;
        (is_project(d) && !belongs_outside(d) ? inside : outside) = true;
      }
      if (inside && outside) return conflict;
      if (outside) return external;
      return inside ? project_nonlocal : unresolved;
    }
    if (clang_getCursorKind(ref) == CXCursor_MacroDefinition) {
      return is_project(ref) ? project_nonlocal : external;
    }
    ref = naming_cursor(ref);
    if (take(clang_getCursorSpelling(ref)) != w) return unresolved;
    if (!is_project(ref) || belongs_outside(ref)) return external;
    return is_local(ref) ? project_local : project_nonlocal;
  }

  void read_external_words() {
    std::vector<std::string> todo;
    {
      std::lock_guard lock{shared_.mutex};
      for (const std::string& path : external_files_) {
        if (shared_.tokenized_external.insert(path).second) todo.push_back(path);
      }
    }
    std::set<std::string> words;
    std::map<std::string, std::string> called;
    for (const std::string& path : todo) {
      const CXFile file = clang_getFile(tu_, path.c_str());
      if (file == nullptr) continue;
      size_t size = 0;
      if (clang_getFileContents(tu_, file, &size) == nullptr) continue;
      const CXSourceRange range =
          clang_getRange(clang_getLocationForOffset(tu_, file, 0),
                         clang_getLocationForOffset(tu_, file, static_cast<unsigned>(size)));
      CXToken* tokens = nullptr;
      unsigned count = 0;
      clang_tokenize(tu_, range, &tokens, &count);
      std::vector<std::string> spelled(count);
      for (unsigned i = 0; i < count; ++i) {
        const CXTokenKind k = clang_getTokenKind(tokens[i]);
        if (k == CXToken_Identifier || k == CXToken_Keyword || k == CXToken_Punctuation) {
          spelled[i] = take(clang_getTokenSpelling(tu_, tokens[i]));
        }
      }
      for (unsigned i = 0; i < count; ++i) {
        if (clang_getTokenKind(tokens[i]) != CXToken_Identifier) continue;
        words.insert(spelled[i]);
        // External code reaches project names only through member access, qualification,
        // a call (ADL) or a template argument list.
        // A word after a type (`bool failed() const`) declares; it calls nothing.
        const std::string& b = i > 0 ? spelled[i - 1] : spelled[i];
        const std::string& a = i + 1 < count ? spelled[i + 1] : spelled[i];
        const CXTokenKind bk = i > 0 ? clang_getTokenKind(tokens[i - 1]) : CXToken_Punctuation;
        // `this->x` in library code names the library's own member.
        const bool own = b == "->" && i > 1 && spelled[i - 2] == "this";
        const bool member = !own && (b == "." || b == "->" || b == "::" || b == ".*" || b == "->*");
        const bool after_type =
            bk == CXToken_Identifier || b == ">" || b == "*" || b == "&" || b == "&&" || b == "~" ||
            (bk == CXToken_Keyword && b != "return" && b != "co_return" && b != "co_await" &&
             b != "co_yield" && b != "throw" && b != "case" && b != "else" && b != "do");
        if (member || ((a == "(" || a == "<") && !after_type)) {
          auto [it, inserted] = called.emplace(spelled[i], path);
          if (!inserted && path < it->second) it->second = path;
        }
      }
      clang_disposeTokens(tu_, tokens, count);
    }
    std::lock_guard lock{shared_.mutex};
    shared_.external_spellings.merge(words);
    for (auto& [w, path] : called) {
      auto [it, inserted] = shared_.called_spellings.emplace(w, path);
      if (!inserted && path < it->second) it->second = path;
    }
  }

  Shared& shared_;
  CXTranslationUnit tu_;
  std::unordered_map<CXFile, std::string> file_names_;
  std::set<std::string> external_files_;
  std::map<std::string, FileState> files_;
  std::map<std::string, CXCursor> macros_;
  std::map<std::string, bool> stringifies_;
  std::vector<Expansion> expansions_;
  std::vector<std::pair<Expansion, std::string>> pinned_expansions_;
  std::vector<std::tuple<std::string, unsigned, std::string>> generated_;
  std::map<std::string, Declared> declared_;
  std::map<std::string, std::set<std::string>> pinned_;
  std::map<std::string, std::set<std::string>> pinned_everywhere_;
  std::set<std::string> types_declared_only_;
  std::set<std::string> types_defined_;
  std::set<std::string> macro_params_;
};

struct Command {
  std::string file;  // canonical
  std::vector<std::string> args;
};

std::vector<std::string> parse_arguments(const std::vector<std::string>& raw,
                                         const fs::path& directory) {
  const auto absolute = [&](const std::string& p) {
    return fs::path{p}.is_absolute() ? p : (directory / p).lexically_normal().string();
  };
  std::vector<std::string> out{"-xc++"};
  for (std::size_t i = 1; i < raw.size(); ++i) {
    const std::string& a = raw[i];
    const bool with_value = a == "-I" || a == "-isystem" || a == "-iquote" || a == "-idirafter" ||
                            a == "-D" || a == "-U" || a == "-include";
    if (with_value && i + 1 < raw.size()) {
      const bool path = a != "-D" && a != "-U";
      out.push_back(a);
      out.push_back(path ? absolute(raw[i + 1]) : raw[i + 1]);
      ++i;
    } else if (a == "-o" || a == "-MF" || a == "-MT" || a == "-MQ" || a == "-x") {
      ++i;
    } else if (a.starts_with("-I")) {
      out.push_back("-I" + absolute(a.substr(2)));
    } else if (a.starts_with("-isystem")) {
      out.push_back("-isystem" + absolute(a.substr(8)));
    } else if (a.starts_with("-D") || a.starts_with("-U") || a.starts_with("-std=")) {
      out.push_back(a);
    }
  }
  // Asio 1.22 enables co_await for clang only with libc++'s <experimental/coroutine>; g++,
  // which builds the code, has it with libstdc++, so parse the way g++ compiles.
  out.push_back("-DASIO_HAS_CO_AWAIT=1");
  out.push_back("-Wno-everything");
  return out;
}

std::vector<Command> load_commands(const ScanOptions& options,
                                   const std::vector<fs::path>& project_dirs) {
  CXCompilationDatabase_Error error = CXCompilationDatabase_NoError;
  const CXCompilationDatabase db = clang_CompilationDatabase_fromDirectory(
      options.compile_commands_dir.string().c_str(), &error);
  if (error != CXCompilationDatabase_NoError || db == nullptr) {
    throw Refusal("cannot load " +
                  (options.compile_commands_dir / "compile_commands.json").string());
  }
  std::map<std::string, Command> by_file;
  const CXCompileCommands all = clang_CompilationDatabase_getAllCompileCommands(db);
  for (unsigned i = 0; i < clang_CompileCommands_getSize(all); ++i) {
    const CXCompileCommand cmd = clang_CompileCommands_getCommand(all, i);
    const fs::path directory = take(clang_CompileCommand_getDirectory(cmd));
    fs::path file = take(clang_CompileCommand_getFilename(cmd));
    if (!file.is_absolute()) file = directory / file;
    std::error_code ec;
    file = fs::weakly_canonical(file, ec);
    const bool in_project = std::any_of(project_dirs.begin(), project_dirs.end(),
                                        [&](const fs::path& d) { return under(file, d); });
    const bool excluded = std::any_of(options.excluded.begin(), options.excluded.end(),
                                      [&](const fs::path& e) { return under(file, e); });
    // Unit tests stringify their expressions (EXPECT_EQ) and are not part of the program.
    if (!in_project || excluded || file.stem().string().ends_with("_test")) continue;
    std::vector<std::string> raw;
    for (unsigned k = 0; k < clang_CompileCommand_getNumArgs(cmd); ++k) {
      raw.push_back(take(clang_CompileCommand_getArg(cmd, k)));
    }
    by_file.emplace(file.string(), Command{file.string(), parse_arguments(raw, directory)});
  }
  clang_CompileCommands_dispose(all);
  clang_CompilationDatabase_dispose(db);
  std::vector<Command> out;
  for (auto& [file, cmd] : by_file) out.push_back(std::move(cmd));
  return out;
}

void merge_into(ScanResult& result, UnitResult&& unit) {
  for (auto& [rel, file] : unit.files) {
    auto [it, inserted] = result.files.emplace(rel, file);
    if (inserted) continue;
    for (const auto& [offset, bits] : file.evidence) it->second.evidence[offset] |= bits;
    it->second.junk_sites.merge(file.junk_sites);
  }
  for (auto& [name, d] : unit.declared) {
    Declared& into = result.declared[name];
    into.local = into.local || d.local;
    into.nonlocal = into.nonlocal || d.nonlocal;
    if (into.where.empty() || (!d.where.empty() && d.where < into.where)) into.where = d.where;
  }
  for (auto& [name, reasons] : unit.pinned) result.pinned[name].merge(reasons);
  for (auto& [name, reasons] : unit.pinned_everywhere) {
    result.pinned_everywhere[name].merge(reasons);
  }
  result.macro_params.merge(unit.macro_params);
}

}  // namespace

ScanResult scan_project(const ScanOptions& options) {
  Shared shared{options, {}, {}, {}, {}, {}};
  for (const std::string& dir : options.source_dirs) {
    shared.project_dirs.push_back((options.root / dir).lexically_normal());
  }
  const std::vector<Command> commands = load_commands(options, shared.project_dirs);
  if (commands.empty()) {
    throw Refusal("compile_commands.json in " + options.compile_commands_dir.string() +
                  " has no program sources under the source folders");
  }
  std::vector<std::optional<UnitResult>> units(commands.size());
  std::vector<std::string> errors(commands.size());
  std::atomic<std::size_t> next{0};
  const auto worker = [&] {
    const CXIndex index = clang_createIndex(0, 0);
    for (std::size_t i = next++; i < commands.size(); i = next++) {
      const Command& cmd = commands[i];
      std::vector<const char*> argv;
      for (const std::string& a : cmd.args) argv.push_back(a.c_str());
      CXTranslationUnit tu = nullptr;
      const CXErrorCode code = clang_parseTranslationUnit2(
          index, cmd.file.c_str(), argv.data(), static_cast<int>(argv.size()), nullptr, 0,
          CXTranslationUnit_DetailedPreprocessingRecord, &tu);
      if (code != CXError_Success || tu == nullptr) {
        errors[i] = "cannot parse " + cmd.file + " (libclang error " +
                    std::to_string(static_cast<int>(code)) + ")";
        continue;
      }
      for (unsigned d = 0; d < clang_getNumDiagnostics(tu); ++d) {
        const CXDiagnostic diag = clang_getDiagnostic(tu, d);
        if (clang_getDiagnosticSeverity(diag) >= CXDiagnostic_Error && errors[i].empty()) {
          errors[i] = "parse error, nothing written: " +
                      take(clang_formatDiagnostic(diag, clang_defaultDiagnosticDisplayOptions()));
        }
        clang_disposeDiagnostic(diag);
      }
      if (errors[i].empty()) units[i] = UnitScanner{shared, tu}.run();
      clang_disposeTranslationUnit(tu);
    }
    clang_disposeIndex(index);
  };
  std::vector<std::thread> threads;
  const unsigned jobs =
      std::max(1u, std::min<unsigned>(options.jobs, static_cast<unsigned>(commands.size())));
  for (unsigned j = 1; j < jobs; ++j) threads.emplace_back(worker);
  worker();
  for (std::thread& t : threads) t.join();
  for (const std::string& e : errors) {
    if (!e.empty()) throw Refusal(e);
  }
  ScanResult result;
  std::set<std::string> types_declared_only;
  std::set<std::string> types_defined;
  for (std::size_t i = 0; i < units.size(); ++i) {
    result.translation_units.push_back(relative_to(commands[i].file, options.root));
    types_declared_only.merge(units[i]->types_declared_only);
    types_defined.merge(units[i]->types_defined);
    merge_into(result, std::move(*units[i]));
  }
  // A forward declaration the project never completes redeclares a library's type (an
  // opaque C struct such as libpcap's `struct pcap`), even when it comes before the library's
  // header and so is the first declaration the parser sees.
  for (const std::string& name : types_declared_only) {
    if (!types_defined.contains(name)) {
      result.pinned[name].insert("declared and never defined here: a library's type");
    }
  }
  result.external_spellings = std::move(shared.external_spellings);
  result.called_spellings = std::move(shared.called_spellings);
  return result;
}

}  // namespace pa::obfuscate
