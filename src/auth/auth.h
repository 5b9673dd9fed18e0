// AuthSystem: the auth module assembled — audit log, branches, staff, sessions and keys sharing
// one store, clock, randomness, configuration and PrincipalEpoch (so that a change made through
// one service reaches the caches of the others on the next request).
//
// Used by: the server's wiring and tests. Thread safety: safe from any thread once constructed;
// the services it owns are themselves thread-safe. The AuthSystem must outlive every use of
// its services; the store, clock and random must outlive the AuthSystem.

#ifndef BANYAN_AUTH_AUTH_H_
#define BANYAN_AUTH_AUTH_H_

#include <string>

#include "auth/api_keys.h"
#include "auth/audit.h"
#include "auth/org.h"
#include "auth/password.h"
#include "auth/principal_epoch.h"
#include "auth/sessions.h"
#include "auth/staff.h"
#include "base/clock.h"
#include "base/config.h"
#include "base/random.h"
#include "store/database.h"

namespace banyan::auth {

inline constexpr size_t kAuditKeyBytes = 32;

class AuthSystem {
 public:
  // `audit_key` is the 32-byte audit key (LoadOrCreateKeyFile(<data>/audit.key, 32, …)).
  // `password_cost` must stay PasswordHashCost::Interactive() (or stronger) in production.
  AuthSystem(store::Database& db, const Clock& clock, Random& random, const Config::Auth& config,
             std::string audit_key,
             PasswordHashCost password_cost = PasswordHashCost::Interactive());

  AuthSystem(const AuthSystem&) = delete;
  AuthSystem& operator=(const AuthSystem&) = delete;

  AuditLog& audit() { return audit_; }
  BranchService& branches() { return branches_; }
  StaffService& staff() { return staff_; }
  SessionService& sessions() { return sessions_; }
  ApiKeyService& api_keys() { return api_keys_; }

 private:
  PrincipalEpoch epoch_;
  AuditLog audit_;
  BranchService branches_;
  StaffService staff_;
  SessionService sessions_;
  ApiKeyService api_keys_;
};

}  // namespace banyan::auth

#endif  // BANYAN_AUTH_AUTH_H_
