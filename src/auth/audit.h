// AuditLog: the tamper-evident record of who did what — logins, staff and key changes, branch
// edits, unmasking of personal data, exports.
//
// Entries form a chain: entry n stores the hash of entry n-1 (prev_hash) and its own hash, an
// HMAC-SHA-256 keyed with the audit key over a canonical, length-prefixed encoding of all its
// fields (docs/security.md, "Audit chain"). Someone who can edit the database file but lacks
// the key file cannot forge a consistent chain; Verify() finds the first entry that was edited,
// removed or moved. SQLite triggers make the table append-only for ordinary SQL as well.
//
// Write the audit entry in the same transaction as the change it records (Append), so neither
// can commit without the other; Record() is for events with no other write (a denied request).
//
// Used by: every auth service; the api for pii.unmask, export and other audited actions.
// Thread safety: safe from any thread (the store serialises writes, so sequence numbers are
// assigned without races).

#ifndef BANYAN_AUTH_AUDIT_H_
#define BANYAN_AUTH_AUDIT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/page.h"
#include "auth/principal.h"
#include "base/clock.h"
#include "base/json.h"
#include "base/result.h"
#include "store/database.h"

namespace banyan::auth {

// Where a request came from; copied into every entry it causes.
struct AuditContext {
  std::string request_id{};
  std::string remote_address{};
};

struct AuditRecord {
  std::string actor_kind{};  // PrincipalKindName, or "anonymous" for failed logins
  int64_t actor_id = 0;
  std::string actor_name{};
  // The actor's branch path ("/" for bank-wide actors): readers with a narrower scope see only
  // entries whose actor is within their subtree.
  std::string actor_branch_path = "/";
  // "staff.create", "auth.login", "auth.login_failed", "auth.logout", "api_key.create",
  // "api_key.revoke", "branch.update", "pii.unmask", "export", …
  std::string action{};
  std::string target_type{};
  std::string target_id{};
  std::string outcome = "success";  // "success", "denied" or "failure"
  Json details = Json::object();

  // A record whose actor fields are taken from `actor`.
  static AuditRecord By(const Principal& actor, std::string action, std::string target_type,
                        std::string target_id);
};

struct AuditEntry {
  int64_t seq = 0;
  Timestamp at{};
  std::string request_id{};
  std::string remote_address{};
  AuditRecord record;
  std::string hash{};  // hex
};

struct AuditFilter {
  std::optional<int64_t> actor_id{};
  std::string action{};  // exact, or a prefix ending in '*' ("auth.*"); empty: any
  std::string target_type{};
  std::string target_id{};
  std::string outcome{};
  std::optional<Timestamp> from{};  // inclusive
  std::optional<Timestamp> to{};    // exclusive
};

inline constexpr size_t kAuditFieldLengthMax = 256;        // actor names, targets, request ids
inline constexpr size_t kAuditDetailsBytesMax = 16 << 10;  // serialised details

class AuditLog {
 public:
  struct VerifyReport {
    int64_t entries = 0;  // entries checked
    bool ok = true;
    int64_t first_bad_seq = 0;  // 0 when ok
    std::string reason;
    // The hash of the last entry: record it elsewhere (e.g. in a daily report) to detect later
    // removal of entries from the end, which the chain alone cannot reveal.
    std::string head_hash;
  };

  // REQUIRES: key.size() == 32 (the audit key file). The key is kept only in memory.
  AuditLog(store::Database& db, const Clock& clock, std::string key);

  // Appends `record` inside the caller's write transaction. Fails with InvalidArgument if the
  // record is malformed (a bug in the caller, reported rather than crashing).
  Status Append(store::Transaction& tx, const AuditRecord& record, const AuditContext& context);
  // Appends `record` in a transaction of its own.
  Status Record(const AuditRecord& record, const AuditContext& context);
  // Records a refused attempt (outcome "denied", details.reason = `message`) in its own
  // transaction and returns PermissionDenied(`message`) for the caller to return. A failure to
  // record is logged; the refusal stands either way.
  Status Denied(AuditRecord record, const AuditContext& context, std::string message);
  // Entries matching `filter` that `reader` may see, newest first. Needs audit:read; a reader
  // whose scope is not kAll sees only entries made by actors within its subtree.
  Result<Page<AuditEntry>> Query(const Principal& reader, const AuditFilter& filter,
                                 std::string_view cursor, int limit);
  // All entries matching `filter`, newest first, without any permission or scope check: for the
  // system (the admin CLI) and callers that have already checked the reader's scope is kAll.
  Result<Page<AuditEntry>> Query(const AuditFilter& filter, std::string_view cursor, int limit);
  // Recomputes the whole chain.
  Result<VerifyReport> Verify();

 private:
  Result<Page<AuditEntry>> QueryScoped(const Principal& reader, const AuditFilter& filter,
                                       std::string_view cursor, int limit);

  store::Database& db_;
  const Clock& clock_;
  const std::string key_;
};

}  // namespace banyan::auth

#endif  // BANYAN_AUTH_AUDIT_H_
