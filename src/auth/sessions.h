// SessionService: console log-in, the per-request session check, and log-out.
//
// A session token is 32 bytes from the injected Random (SecureRandom in production) as
// base64url, handed to the browser in a cookie; the store keeps only its SHA-256. A session
// ends after session_idle_timeout_s without requests or session_absolute_timeout_s after log-in,
// whichever comes first. Its CSRF token is derived from the session token (SHA-256 with a
// distinct prefix), so it needs no storage and is unknown to anyone who has only the database.
//
// Authenticate() is on every request's hot path: it hashes the token and looks it up in an
// in-memory cache (bounded, mutex-protected), touching the store only to re-check an entry
// (every kCacheRecheckInterval, or after a change bumped the PrincipalEpoch) and to record
// activity (at most once per kLastSeenWriteInterval per session).
//
// Log-in failures are deliberately uninformative: unknown user, wrong password and disabled
// account all answer Unauthenticated("invalid username or password"), and an unknown user's
// attempt still verifies against a decoy Argon2id hash so timing does not reveal which
// usernames exist. After config.login_failures_max consecutive failures the account is locked
// for config.lockout_s (ResourceExhausted naming the unlock time, even with the right password);
// each remote address may fail kLoginFailuresPerAddressMax times per kLoginThrottleWindow.
// Every log-in, failure, lock-out and log-out is audited.
//
// Used by: the api (POST /api/v1/session, the authentication middleware).
// Thread safety: safe from any thread, provided the injected Random is (SecureRandom is).

#ifndef BANYAN_AUTH_SESSIONS_H_
#define BANYAN_AUTH_SESSIONS_H_

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/audit.h"
#include "auth/internal/login_throttle.h"
#include "auth/password.h"
#include "auth/principal.h"
#include "auth/principal_epoch.h"
#include "base/clock.h"
#include "base/config.h"
#include "base/random.h"
#include "base/result.h"
#include "store/database.h"

namespace banyan::auth {

inline constexpr size_t kSessionTokenBytes = 32;
inline constexpr size_t kSessionTokenLengthMax = 64;  // characters; longer tokens are rejected
inline constexpr size_t kSessionCacheEntriesMax = 50000;
inline constexpr int64_t kSessionsPerStaffMax = 20;  // the oldest is ended beyond this
inline constexpr std::chrono::seconds kLastSeenWriteInterval{60};
inline constexpr std::chrono::seconds kCacheRecheckInterval{10};
inline constexpr int kLoginFailuresPerAddressMax = 30;
inline constexpr std::chrono::seconds kLoginThrottleWindow{60};
inline constexpr size_t kLoginThrottleAddressesMax = 10000;

struct LoginResult {
  std::string token;       // secret: set as an HttpOnly cookie, never log
  std::string csrf_token;  // for the X-CSRF-Token header
  Principal principal{};
  Timestamp expires_at{};  // the absolute expiry; idleness may end the session sooner
};

class SessionService {
 public:
  // `cost` is the cost of the decoy hash verified for unknown users; use the cost StaffService
  // hashes with, so both paths take the same time. `epoch` may be null.
  SessionService(store::Database& db, const Clock& clock, Random& random, AuditLog& audit,
                 const Config::Auth& config,
                 PasswordHashCost cost = PasswordHashCost::Interactive(),
                 PrincipalEpoch* epoch = nullptr);

  Result<LoginResult> Login(std::string_view username, std::string_view password,
                            const AuditContext& context);
  // The principal of a live session; Unauthenticated for an unknown, expired or revoked token or
  // a disabled account.
  Result<Principal> Authenticate(std::string_view token);
  // Ends the session `principal` was authenticated with.
  Status Logout(const Principal& principal, const AuditContext& context);
  // Ends every session of `staff_id` (the caller audits why).
  Status RevokeAllFor(int64_t staff_id);

 private:
  struct CacheEntry {
    Principal principal;
    Timestamp expires_at{};
    Timestamp last_seen_at{};         // the latest request
    Timestamp last_seen_stored_at{};  // what the store holds
    Timestamp checked_at{};           // when the entry was last read from the store
    uint64_t epoch = 0;
  };

  // Counts and audits a failed log-in; `staff` is absent for an unknown username.
  Result<LoginResult> FailLogin(const std::optional<Principal>& staff, const AuditContext& context,
                                Timestamp now);
  Result<LoginResult> StartSession(const Principal& principal, const std::string& rehash,
                                   const AuditContext& context, Timestamp now);
  Result<Principal> Reload(std::string_view token, const std::string& id, Timestamp now,
                           uint64_t epoch, std::optional<Timestamp> remembered_last_seen);
  bool Expired(Timestamp expires_at, Timestamp last_seen_at, Timestamp now) const;
  void CacheInsert(const std::string& id, CacheEntry entry);
  void CacheErase(const std::string& id);
  void TouchStored(const std::string& id, Timestamp now);

  store::Database& db_;
  const Clock& clock_;
  Random& random_;
  AuditLog& audit_;
  const Config::Auth config_;
  const PasswordHashCost cost_;
  PrincipalEpoch own_epoch_;
  PrincipalEpoch* epoch_;
  std::string decoy_hash_;
  internal::LoginThrottle throttle_;

  std::mutex mutex_;
  std::unordered_map<std::string, CacheEntry> cache_;  // by token hash; guarded by mutex_
};

}  // namespace banyan::auth

#endif  // BANYAN_AUTH_SESSIONS_H_
