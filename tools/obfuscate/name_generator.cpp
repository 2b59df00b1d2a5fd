#include "name_generator.hpp"

#include <utility>

namespace pa::obfuscate {
namespace {

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t fnv1a(std::uint64_t h, std::string_view text) {
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

// The first character avoids digits (an identifier cannot start with one) and `_` (reserved
// at namespace scope); the rest mix the characters that are hardest to tell apart.
constexpr std::string_view first_alphabet = "lIO";
constexpr std::string_view rest_alphabet = "lI1O0";

}  // namespace

std::uint64_t keyed_hash(std::string_view seed, std::string_view text, std::uint64_t counter) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  h = fnv1a(h, seed);
  h = splitmix64(h ^ 0x51);
  h = fnv1a(h, text);
  return splitmix64(h ^ splitmix64(counter + 1));
}

NameGenerator::NameGenerator(std::string seed, const std::set<std::string>& taken)
    : seed_(std::move(seed)), taken_(taken) {}

std::string NameGenerator::make(std::string_view kind, std::string_view text, std::size_t length) {
  for (std::uint64_t counter = 0;; ++counter) {
    std::string key{kind};
    key += '\0';
    key += text;
    std::uint64_t state = keyed_hash(seed_, key, counter);
    std::string name;
    name += first_alphabet[state % first_alphabet.size()];
    state /= first_alphabet.size();
    while (name.size() < length) {
      if (state < rest_alphabet.size()) state = splitmix64(state ^ name.size());
      name += rest_alphabet[state % rest_alphabet.size()];
      state /= rest_alphabet.size();
    }
    if (taken_.contains(name) || issued_.contains(name)) continue;
    issued_.insert(name);
    return name;
  }
}

std::string NameGenerator::name_for(std::string_view spelling) {
  return make("name", spelling, name_length);
}

std::string NameGenerator::junk_for(std::string_view file, std::size_t offset) {
  std::string key{file};
  key += ':';
  key += std::to_string(offset);
  return make("junk", key, junk_length);
}

}  // namespace pa::obfuscate
