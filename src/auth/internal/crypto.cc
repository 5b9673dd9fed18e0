#include "auth/internal/crypto.h"

#include <sodium.h>

#include <array>

#include "base/check.h"
#include "base/encoding.h"

namespace banyan::auth::internal {

void EnsureSodium() {
  static const bool kInitialised = sodium_init() >= 0;
  CHECK(kInitialised, "libsodium failed to initialise");
}

std::string Sha256(std::string_view data) {
  std::string digest(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(reinterpret_cast<unsigned char*>(digest.data()),
                     reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return digest;
}

std::string Sha256Hex(std::string_view data) { return HexEncode(AsBytes(Sha256(data))); }

std::string HmacSha256Hex(std::string_view key, std::string_view data) {
  static_assert(kHmacKeyBytes == crypto_auth_hmacsha256_KEYBYTES);
  CHECK(key.size() == kHmacKeyBytes, "HMAC key must be {} bytes", kHmacKeyBytes);
  std::array<uint8_t, crypto_auth_hmacsha256_BYTES> mac;
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()),
                              key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(data.data()),
                                data.size());
  crypto_auth_hmacsha256_final(&state, mac.data());
  return HexEncode(mac);
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace banyan::auth::internal
