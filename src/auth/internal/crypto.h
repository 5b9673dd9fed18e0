// Small wrappers over libsodium for the auth module: digests of secrets, the audit HMAC and
// constant-time comparison. Secrets are never stored or logged, only these digests.
//
// Used by: sessions, API keys, the audit chain. Thread safety: stateless; safe from any thread.

#ifndef BANYAN_AUTH_INTERNAL_CRYPTO_H_
#define BANYAN_AUTH_INTERNAL_CRYPTO_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace banyan::auth::internal {

inline constexpr size_t kHmacKeyBytes = 32;

// Initialises libsodium (idempotent); CHECK-fails if it cannot.
void EnsureSodium();
// SHA-256 of `data`: 32 raw bytes.
std::string Sha256(std::string_view data);
// SHA-256 of `data` as 64 lowercase hex characters.
std::string Sha256Hex(std::string_view data);
// HMAC-SHA-256 of `data` keyed with `key` as 64 lowercase hex characters.
// REQUIRES: key.size() == kHmacKeyBytes.
std::string HmacSha256Hex(std::string_view key, std::string_view data);
// Compares without an early exit, so timing does not reveal where two strings differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace banyan::auth::internal

#endif  // BANYAN_AUTH_INTERNAL_CRYPTO_H_
