#pragma once

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

namespace pa::obfuscate {

// Makes look-alike names (`lI1O0...`) that depend only on the seed and what they stand for,
// so the same sources and seed always give the same tree. Renamed identifiers are 12
// characters and junk variables 11, so a junk variable can never capture or shadow one.
class NameGenerator {
 public:
  // `taken` holds every spelling a new name must not collide with: all identifiers of the
  // project and of the headers it includes.
  NameGenerator(std::string seed, const std::set<std::string>& taken);

  // The name for a project spelling. Call in sorted spelling order for stable results.
  std::string name_for(std::string_view spelling);
  // The name of the junk variable inserted at `offset` of `file` (relative path).
  std::string junk_for(std::string_view file, std::size_t offset);

  static constexpr std::size_t name_length = 12;
  static constexpr std::size_t junk_length = 11;

 private:
  std::string make(std::string_view kind, std::string_view text, std::size_t length);

  std::string seed_;
  const std::set<std::string>& taken_;
  std::set<std::string> issued_;
};

// A 64-bit digest of `text` keyed by `seed` (FNV-1a folded through splitmix64).
std::uint64_t keyed_hash(std::string_view seed, std::string_view text, std::uint64_t counter);

}  // namespace pa::obfuscate
