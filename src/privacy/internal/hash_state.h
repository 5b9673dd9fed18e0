// HashState: the BLAKE2b state after keying with the ring's hash key, prepared once so each
// KeyedHash copies it instead of re-keying (one compression fewer per hash).
//
// Used by: keyring.cc (prepares it), keyed_hash.cc (copies it). Thread safety: read-only after
// the ring is loaded.

#ifndef BANYAN_PRIVACY_INTERNAL_HASH_STATE_H_
#define BANYAN_PRIVACY_INTERNAL_HASH_STATE_H_

#include <sodium.h>

namespace banyan::privacy::internal {

struct HashState {
  crypto_generichash_state keyed;
};

}  // namespace banyan::privacy::internal

#endif  // BANYAN_PRIVACY_INTERNAL_HASH_STATE_H_
