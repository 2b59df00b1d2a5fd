#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/byte_reader.hpp"

// The stream protocol's authentication (docs/stream-protocol.md, "Who may join a run"): a
// secret shared by the provider and its consumers, never sent, proves each side with an
// HMAC-SHA256 over the hello, over the hello reply and its fresh nonces, and over every
// acknowledgement, keyed for that one connection.
namespace pa::stream {

inline constexpr std::size_t nonce_bytes = 16;
inline constexpr std::size_t mac_bytes = 32;
// A shared secret shorter than this is refused: it could be guessed.
inline constexpr std::size_t min_secret_bytes = 16;

using Nonce = std::array<std::uint8_t, nonce_bytes>;
using Mac = std::array<std::uint8_t, mac_bytes>;

// Bytes from the operating system's random source (OpenSSL's RAND_bytes). Throws
// std::runtime_error when it has none to give.
Nonce random_nonce();
// A secret for one run, known only to this process (the -c COUNT mode's own consumers).
std::string random_secret();

// The keys of one connection. Without a secret (has_secret() false) every MAC is zero and none
// is checked: serve on loopback without --secret-file, as the protocol was before.
class ChannelAuth {
 public:
  ChannelAuth() = default;
  explicit ChannelAuth(std::string secret) : secret_(std::move(secret)) {}

  [[nodiscard]] bool has_secret() const noexcept { return !secret_.empty(); }

  // Over the hello's fields before its MAC: the provider knows the secret.
  [[nodiscard]] Mac hello_mac(base::Bytes fields) const;
  // Over both nonces and the reply's fields before its MAC: the consumer knows the secret
  // now (the provider's nonce is fresh), not in some earlier run.
  [[nodiscard]] Mac reply_mac(const Nonce& provider, base::Bytes fields) const;
  // Derives the connection's key from both nonces; every acknowledgement is keyed with it.
  void start_session(const Nonce& provider, const Nonce& consumer);
  // Over the acknowledgement's position on the connection (0, 1, ...) and its fields before
  // its MAC: an acknowledgement replayed, reordered or taken from another connection fails.
  [[nodiscard]] Mac ack_mac(std::uint64_t position, base::Bytes fields) const;

  // Compares in constant time.
  [[nodiscard]] static bool same(const Mac& a, const Mac& b) noexcept;

 private:
  std::string secret_;
  std::string session_key_;
};

}  // namespace pa::stream
