#include "privacy/keyed_hash.h"

#include <fmt/format.h>
#include <sodium.h>

#include "base/check.h"
#include "privacy/internal/hash_state.h"

namespace banyan::privacy {

LookupHash KeyedHash(const KeyRing& ring, std::string_view domain, std::string_view value) {
  DCHECK(domain.find('\0') == std::string_view::npos, "a hash domain cannot contain NUL");
  // Copying the keyed state skips re-keying BLAKE2b (one compression) on every call.
  crypto_generichash_state state = ring.hash_state().keyed;
  static constexpr unsigned char kSeparator = 0;
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(domain.data()),
                            domain.size());
  crypto_generichash_update(&state, &kSeparator, 1);
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(value.data()),
                            value.size());
  LookupHash out;
  crypto_generichash_final(&state, out.data(), out.size());
  sodium_memzero(&state, sizeof(state));
  return out;
}

std::string_view AsBytes(const LookupHash& h) {
  return {reinterpret_cast<const char*>(h.data()), h.size()};
}

Result<LookupHash> LookupHashFromBytes(std::string_view bytes) {
  if (bytes.size() != kLookupHashBytes) {
    return InvalidArgumentError(
        fmt::format("lookup hash must be {} bytes, not {}", kLookupHashBytes, bytes.size()));
  }
  LookupHash out;
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return out;
}

}  // namespace banyan::privacy
