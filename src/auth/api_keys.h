// ApiKeyService: credentials for machines. API keys ("bk_…") let a bank system call the API
// with an explicit permission set ("Authorization: Bearer bk_…"); write keys ("wk_…") are
// embedded in apps and mini-programs and can only send events (events:write).
//
// A secret is the prefix plus 32 random bytes as base64url, shown once at creation; the store
// keeps only its SHA-256 (unique) and the first kApiKeyPrefixLength characters for display.
// No escalation: a key's permissions must be a subset of its creator's and its branch within the
// creator's scope (default: the creator's own branch, or the whole bank for HQ staff); only staff
// and the system create keys. Keys are independent of their creator afterwards: disabling the
// creator does not revoke them (revoke explicitly).
//
// Authenticate() is on the hot path: verified keys are cached in memory (bounded); revocation
// drops the entry at once in this process, and other processes notice within
// kCacheRecheckInterval. last_used_at is written at most once per kLastSeenWriteInterval.
//
// Used by: the api (/api/v1/api-keys, the authentication middleware, the ingest endpoint).
// Thread safety: safe from any thread, provided the injected Random is (SecureRandom is).

#ifndef BANYAN_AUTH_API_KEYS_H_
#define BANYAN_AUTH_API_KEYS_H_

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "auth/audit.h"
#include "auth/page.h"
#include "auth/principal.h"
#include "auth/principal_epoch.h"
#include "base/clock.h"
#include "base/random.h"
#include "base/result.h"
#include "store/database.h"

namespace banyan::auth {

inline constexpr size_t kApiKeySecretBytes = 32;
inline constexpr size_t kApiKeySecretLengthMax = 64;  // characters; longer secrets are rejected
inline constexpr size_t kApiKeyPrefixLength = 11;     // "bk_" and 8 characters
inline constexpr size_t kApiKeyNameLengthMax = 128;   // code points
inline constexpr size_t kApiKeyCacheEntriesMax = 10000;

struct ApiKey {
  int64_t id = 0;
  std::string name{};
  std::string kind{};    // "api" or "write"
  std::string prefix{};  // the secret's first kApiKeyPrefixLength characters
  std::vector<std::string> permissions{};
  std::optional<int64_t> branch_id{};  // absent: the whole bank
  int64_t created_by = 0;              // staff id; 0 for the system
  Timestamp created_at{};
  std::optional<Timestamp> expires_at{};
  std::optional<Timestamp> revoked_at{};
  std::optional<Timestamp> last_used_at{};
};

struct ApiKeyInput {
  std::string name{};
  std::string kind = "api";
  // Permission names. For a write key: empty or exactly {"events:write"}.
  std::vector<std::string> permissions{};
  std::optional<int64_t> branch_id{};
  std::optional<Timestamp> expires_at{};  // must be in the future
};

class ApiKeyService {
 public:
  struct Created {
    ApiKey key;
    std::string secret;  // shown once; never stored, never logged
  };

  ApiKeyService(store::Database& db, const Clock& clock, Random& random, AuditLog& audit,
                PrincipalEpoch* epoch = nullptr);

  // Needs api_keys:manage.
  Result<Created> Create(const Principal& actor, const ApiKeyInput& input,
                         const AuditContext& context);
  // Keys within the caller's scope (bank-wide keys only for scope kAll), by id, revoked ones
  // included. Needs api_keys:manage.
  Result<Page<ApiKey>> List(const Principal& actor, std::string_view cursor, int limit);
  Result<ApiKey> Get(const Principal& actor, int64_t id);
  // Revokes at once; revoking a revoked key succeeds without change.
  Status Revoke(const Principal& actor, int64_t id, const AuditContext& context);

  // The principal of a live API key ("bk_…"); Unauthenticated for anything else, write keys
  // included.
  Result<Principal> Authenticate(std::string_view secret);
  // The principal of a live write key ("wk_…"), whose only permission is events:write.
  Result<Principal> AuthenticateWriteKey(std::string_view secret);

 private:
  struct CacheEntry {
    Principal principal;
    std::optional<Timestamp> expires_at;
    Timestamp last_used_stored_at{};
    Timestamp checked_at{};
    uint64_t epoch = 0;
  };

  Status InsertIn(store::Transaction& tx, const Principal& actor, Created& created,
                  const AuditContext& context);
  Result<Principal> AuthenticateKind(std::string_view secret, std::string_view kind);
  Result<Principal> Reload(const std::string& hash, std::string_view kind, Timestamp now,
                           uint64_t epoch);
  void CacheInsert(const std::string& hash, CacheEntry entry);
  void TouchStored(int64_t id, Timestamp now);

  store::Database& db_;
  const Clock& clock_;
  Random& random_;
  AuditLog& audit_;
  PrincipalEpoch own_epoch_;
  PrincipalEpoch* epoch_;

  std::mutex mutex_;
  std::unordered_map<std::string, CacheEntry> cache_;  // by secret hash; guarded by mutex_
};

}  // namespace banyan::auth

#endif  // BANYAN_AUTH_API_KEYS_H_
