// Keyed look-up hashes: how a personal value is found without being stored in the clear.
//
// KeyedHash is BLAKE2b (libsodium crypto_generichash, 16-byte output) keyed with the key ring's
// hash key, over `domain` + '\0' + `value`. Identity uses domain = the identifier type name and
// value = the normalised identifier, so "find customer by phone" is an index look-up on the hash
// and the identifier table never holds the clear value. Without the key ring the hashes cannot
// be brute-forced from the (small) space of phone numbers.
//
// Used by: identity (identifier look-ups, erased identifiers). Thread safety: safe from any
// thread.

#ifndef BANYAN_PRIVACY_KEYED_HASH_H_
#define BANYAN_PRIVACY_KEYED_HASH_H_

#include <array>
#include <cstdint>
#include <string_view>

#include "base/result.h"
#include "privacy/keyring.h"

namespace banyan::privacy {

inline constexpr size_t kLookupHashBytes = 16;
using LookupHash = std::array<uint8_t, kLookupHashBytes>;

// REQUIRES: `domain` contains no '\0' (it is a name from code, not input).
LookupHash KeyedHash(const KeyRing& ring, std::string_view domain, std::string_view value);
// The 16 bytes as a view, for SQL blobs (store::Blob{std::string(AsBytes(h))}).
std::string_view AsBytes(const LookupHash& h);
// InvalidArgument if `bytes` is not 16 bytes long.
Result<LookupHash> LookupHashFromBytes(std::string_view bytes);

}  // namespace banyan::privacy

#endif  // BANYAN_PRIVACY_KEYED_HASH_H_
