#include "stream/frame_auth.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <stdexcept>
#include <string_view>
#include <vector>

namespace pa::stream {
namespace {

// HMAC-SHA256 over a label (which keeps the MACs of different messages apart) and the parts.
Mac labelled_mac(std::string_view key, std::string_view label,
                 std::initializer_list<base::Bytes> parts) {
  std::vector<std::uint8_t> input(label.begin(), label.end());
  for (const base::Bytes part : parts) input.insert(input.end(), part.begin(), part.end());
  Mac mac{};
  unsigned int length = 0;
  const unsigned char* done = HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
                                   input.data(), input.size(), mac.data(), &length);
  if (done == nullptr || length != mac.size()) throw std::runtime_error("HMAC-SHA256 failed");
  return mac;
}

}  // namespace

Nonce random_nonce() {
  Nonce nonce{};
  if (RAND_bytes(nonce.data(), static_cast<int>(nonce.size())) != 1) {
    throw std::runtime_error("no random bytes for the stream protocol's nonce");
  }
  return nonce;
}

std::string random_secret() {
  const Nonce first = random_nonce();
  const Nonce second = random_nonce();
  std::string secret(first.begin(), first.end());
  secret.append(second.begin(), second.end());
  return secret;
}

Mac ChannelAuth::hello_mac(base::Bytes fields) const {
  if (!has_secret()) return Mac{};
  return labelled_mac(secret_, "PAST hello", {fields});
}

Mac ChannelAuth::reply_mac(const Nonce& provider, base::Bytes fields) const {
  if (!has_secret()) return Mac{};
  return labelled_mac(secret_, "PAST reply", {provider, fields});
}

void ChannelAuth::start_session(const Nonce& provider, const Nonce& consumer) {
  if (!has_secret()) return;
  const Mac key = labelled_mac(secret_, "PAST session", {provider, consumer});
  session_key_.assign(key.begin(), key.end());
}

Mac ChannelAuth::ack_mac(std::uint64_t position, base::Bytes fields) const {
  if (!has_secret()) return Mac{};
  std::array<std::uint8_t, 8> at{};
  for (std::size_t i = at.size(); i-- > 0;) {
    at[i] = static_cast<std::uint8_t>(position);
    position >>= 8;
  }
  return labelled_mac(session_key_, "PAST ack", {at, fields});
}

bool ChannelAuth::same(const Mac& a, const Mac& b) noexcept {
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace pa::stream
