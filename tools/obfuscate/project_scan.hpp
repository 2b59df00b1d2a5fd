#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace pa::obfuscate {

// Any reason to stop without writing anything. The message names the place.
class Refusal : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ScanOptions {
  std::filesystem::path root;                   // canonical project root
  std::vector<std::string> source_dirs;         // below root; their files are "project"
  std::filesystem::path compile_commands_dir;   // holds compile_commands.json
  std::vector<std::filesystem::path> excluded;  // canonical folders that are never project
  unsigned jobs = 1;
};

// What one translation unit said about one identifier token of a project file. Headers are
// seen by many units, so the bits of all of them are OR-ed together.
enum Evidence : std::uint32_t {
  fixed = 1u << 0,             // #include, #pragma, #error, #line, directive names
  external = 1u << 1,          // refers to a declaration outside the project
  project_local = 1u << 2,     // refers to a function-local project declaration
  project_nonlocal = 1u << 3,  // refers to any other project declaration
  unresolved = 1u << 4,        // no referenced cursor, or a name libclang spelled differently
  macro_param = 1u << 5,       // a parameter of the #define it is in
  conflict = 1u << 6,          // an overload set mixing project and external declarations
  define_body = 1u << 7,       // inside a #define body (with `unresolved`)
};

enum class TokenKind : std::uint8_t { punctuation, keyword, identifier, literal, comment };

struct Token {
  std::uint32_t offset = 0;
  std::uint32_t end = 0;
  TokenKind kind = TokenKind::punctuation;
  std::int32_t directive = -1;  // index of the directive holding the token, or -1
};

struct ProjectFile {
  std::string text;
  std::vector<Token> tokens;
  std::map<std::uint32_t, std::uint32_t> evidence;  // token offset -> Evidence bits
  std::set<std::uint32_t> junk_sites;               // offsets just after a block's `{`
};

// One project declaration spelling: whether local ones exist, non-local ones, and where the
// first one is (for messages).
struct Declared {
  bool local = false;
  bool nonlocal = false;
  std::string where;
};

struct ScanResult {
  std::map<std::string, ProjectFile> files;  // relative path -> file, program files only
  std::map<std::string, Declared> declared;
  // Spellings non-local declarations must keep, with reasons.
  std::map<std::string, std::set<std::string>> pinned;
  // Spellings that must stay everywhere, locals included (stringified or pasted by macros).
  std::map<std::string, std::set<std::string>> pinned_everywhere;
  std::set<std::string> external_spellings;             // every word in included headers
  std::map<std::string, std::string> called_spellings;  // word -> a header that calls it
  std::set<std::string> macro_params;
  std::vector<std::string> translation_units;  // relative paths
};

std::string relative_to(const std::filesystem::path& path, const std::filesystem::path& root);

// Parses every program translation unit of the compile database (files under the source
// folders, except unit tests) and gathers the evidence. Throws Refusal on a parse error.
ScanResult scan_project(const ScanOptions& options);

}  // namespace pa::obfuscate
