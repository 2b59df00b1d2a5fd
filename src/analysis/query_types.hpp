#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pa::analysis {

// The mnemonic of a question type ("A", "AAAA", "HTTPS"), or "TYPE<n>" (RFC 3597) for a
// type without one here.
std::string query_type_name(std::uint16_t type);

// A type as --qtype takes it: a mnemonic in any case, TYPE<n>, or a number 0-65535.
std::optional<std::uint16_t> parse_query_type(std::string_view text);

// The mnemonics parse_query_type knows, comma separated, for a usage error.
std::string known_query_types();

}  // namespace pa::analysis
