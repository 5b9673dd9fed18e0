// PrincipalEpoch: a counter bumped after every committed change that can alter a cached
// Principal — a staff member's role, branch, status, password or name; a branch move; a key
// revocation. The session and API-key caches remember the epoch at which they read each entry
// and re-read it from the store when the epoch has moved, so such changes take effect on the
// next request. Changes made by another process (the admin CLI) are picked up by the caches'
// periodic re-check instead (kCacheRecheckInterval in sessions.h).
//
// Used by: AuthSystem, which shares one epoch between all its services.
// Thread safety: safe from any thread.

#ifndef BANYAN_AUTH_PRINCIPAL_EPOCH_H_
#define BANYAN_AUTH_PRINCIPAL_EPOCH_H_

#include <atomic>
#include <cstdint>

namespace banyan::auth {

class PrincipalEpoch {
 public:
  uint64_t Get() const { return value_.load(std::memory_order_acquire); }
  void Bump() { value_.fetch_add(1, std::memory_order_acq_rel); }

 private:
  std::atomic<uint64_t> value_{0};
};

}  // namespace banyan::auth

#endif  // BANYAN_AUTH_PRINCIPAL_EPOCH_H_
