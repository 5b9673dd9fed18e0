// EnsureSodium: initialises libsodium once, before the privacy module's first use of it.
// Used by: keyring.cc, sealer.cc. Thread safety: safe from any thread.

#ifndef BANYAN_PRIVACY_INTERNAL_SODIUM_H_
#define BANYAN_PRIVACY_INTERNAL_SODIUM_H_

namespace banyan::privacy::internal {

// CHECK-fails if libsodium cannot initialise (no usable randomness source: a broken host).
void EnsureSodium();

}  // namespace banyan::privacy::internal

#endif  // BANYAN_PRIVACY_INTERNAL_SODIUM_H_
