#include "auth/api_keys.h"

#include <fmt/format.h>

#include <sstream>
#include <utility>

#include "auth/internal/crypto.h"
#include "auth/internal/rows.h"
#include "auth/sessions.h"
#include "base/encoding.h"
#include "base/logging.h"

namespace banyan::auth {
namespace {

constexpr std::string_view kApiPrefix = "bk_";
constexpr std::string_view kWritePrefix = "wk_";
constexpr std::string_view kInvalidKey = "invalid, expired or revoked key";

constexpr std::string_view kKeyColumns =
    "k.id, k.name, k.kind, k.prefix, k.permissions, k.branch_id, k.created_by, k.created_at, "
    "k.expires_at, k.revoked_at, k.last_used_at, b.path, CASE WHEN b.parent_id IS NULL THEN 1 ELSE "
    "0 END";
constexpr std::string_view kKeyFrom = "api_key k LEFT JOIN branch b ON b.id = k.branch_id";

std::vector<std::string> SplitNames(const std::string& text) {
  std::vector<std::string> names;
  std::istringstream in(text);
  for (std::string name; in >> name;) names.push_back(name);
  return names;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) {
    if (!out.empty()) out += ' ';
    out += name;
  }
  return out;
}

// A key row with where its branch sits ("" and true for a bank-wide key).
struct KeyRow {
  ApiKey key;
  std::string branch_path;
  bool bank_wide = true;
};

KeyRow ReadKeyRow(const store::Row& row) {
  KeyRow r;
  ApiKey& k = r.key;
  k.id = row.Int(0);
  k.name = row.Text(1);
  k.kind = row.Text(2);
  k.prefix = row.Text(3);
  k.permissions = SplitNames(row.Text(4));
  k.branch_id = row.OptionalInt(5);
  k.created_by = row.Int(6);
  k.created_at = FromUnixMicros(row.Int(7));
  k.expires_at = internal::OptionalTimestamp(row, 8);
  k.revoked_at = internal::OptionalTimestamp(row, 9);
  k.last_used_at = internal::OptionalTimestamp(row, 10);
  r.branch_path = row.Text(11);
  r.bank_wide = !k.branch_id || row.Int(12) != 0;
  return r;
}

// What a key may do and where.
Principal KeyPrincipal(const KeyRow& row) {
  Principal p;
  p.kind = row.key.kind == "write" ? PrincipalKind::kWriteKey : PrincipalKind::kApiKey;
  p.id = row.key.id;
  p.name = row.key.name;
  if (p.kind == PrincipalKind::kWriteKey) {
    p.permissions = MakePermissionSet({Permission::kEventsWrite});
  } else {
    for (const std::string& name : row.key.permissions) {
      // A name this build does not know grants nothing.
      if (std::optional<Permission> permission = ParsePermission(name)) {
        p.permissions.set(static_cast<size_t>(*permission));
      }
    }
  }
  p.branch_id = row.key.branch_id.value_or(0);
  p.branch_path = row.key.branch_id ? row.branch_path : "/";
  p.scope = row.bank_wide ? ScopeKind::kAll : ScopeKind::kSubtree;
  return p;
}

// The permission set `input` asks for; errors name the offending element.
Result<PermissionSet> RequestedPermissions(const ApiKeyInput& input) {
  if (input.kind == "write") {
    const bool ok = input.permissions.empty() ||
                    (input.permissions.size() == 1 && input.permissions[0] == "events:write");
    if (!ok) return InvalidArgumentError("a write key can only have events:write", "/permissions");
    return MakePermissionSet({Permission::kEventsWrite});
  }
  if (input.kind != "api") return InvalidArgumentError("must be api or write", "/kind");
  if (input.permissions.empty()) {
    return InvalidArgumentError("an API key needs at least one permission", "/permissions");
  }
  PermissionSet set;
  for (size_t i = 0; i < input.permissions.size(); ++i) {
    std::optional<Permission> permission = ParsePermission(input.permissions[i]);
    if (!permission) {
      return InvalidArgumentError(fmt::format("unknown permission '{}'", input.permissions[i]),
                                  JsonPointer("/permissions", i));
    }
    set.set(static_cast<size_t>(*permission));
  }
  return set;
}

Status CheckName(std::string_view name) {
  const size_t length = internal::CodePointCount(name);
  if (!internal::IsPrintableUtf8(name) || length == 0 || length > kApiKeyNameLengthMax) {
    return InvalidArgumentError(
        fmt::format("must be 1..{} characters of text", kApiKeyNameLengthMax), "/name");
  }
  return Status::Ok();
}

bool CanSeeKey(const Principal& actor, const KeyRow& row) {
  if (actor.scope == ScopeKind::kAll) return true;
  return row.key.branch_id && actor.CanSeeBranchPath(row.branch_path);
}

Result<KeyRow> LoadVisibleKey(store::Transaction& tx, const Principal& actor, int64_t id) {
  ASSIGN_OR_RETURN(KeyRow row, tx.QueryOne<KeyRow>(fmt::format("SELECT {} FROM {} WHERE k.id = ?",
                                                               kKeyColumns, kKeyFrom),
                                                   {id}, "API key", ReadKeyRow));
  if (!CanSeeKey(actor, row)) return NotFoundError("API key not found");
  return row;
}

}  // namespace

ApiKeyService::ApiKeyService(store::Database& db, const Clock& clock, Random& random,
                             AuditLog& audit, PrincipalEpoch* epoch)
    : db_(db), clock_(clock), random_(random), audit_(audit), epoch_(epoch ? epoch : &own_epoch_) {
  internal::EnsureSodium();
}

Result<ApiKeyService::Created> ApiKeyService::Create(const Principal& actor,
                                                     const ApiKeyInput& input,
                                                     const AuditContext& context) {
  const AuditRecord denied = AuditRecord::By(actor, "api_key.create", "api_key", "");
  if (!actor.Can(Permission::kApiKeysManage)) {
    return audit_.Denied(denied, context, "api_keys:manage is required");
  }
  if (actor.kind != PrincipalKind::kStaff && actor.kind != PrincipalKind::kSystem) {
    return audit_.Denied(denied, context, "only staff can create keys");
  }
  if (actor.scope == ScopeKind::kOwnCustomers) {
    return audit_.Denied(denied, context, "a key cannot be limited to one person's customers");
  }
  RETURN_IF_ERROR(CheckName(input.name));
  ASSIGN_OR_RETURN(const PermissionSet requested, RequestedPermissions(input));
  if (!IsSubset(requested, actor.permissions)) {
    return audit_.Denied(denied, context,
                         fmt::format("cannot grant permissions you do not hold: {}",
                                     JoinNames(PermissionNames(requested & ~actor.permissions))));
  }
  const Timestamp now = clock_.Now();
  if (input.expires_at && *input.expires_at <= now) {
    return InvalidArgumentError("must be in the future", "/expires_at");
  }
  Created created;
  ApiKey& key = created.key;
  key.name = input.name;
  key.kind = input.kind;
  key.permissions = PermissionNames(requested);
  key.branch_id = input.branch_id;
  if (!key.branch_id && actor.scope != ScopeKind::kAll) key.branch_id = actor.branch_id;
  key.created_by = actor.id;
  key.created_at = now;
  key.expires_at = input.expires_at;
  created.secret = std::string(input.kind == "write" ? kWritePrefix : kApiPrefix) +
                   RandomToken(random_, kApiKeySecretBytes);
  key.prefix = created.secret.substr(0, kApiKeyPrefixLength);
  RETURN_IF_ERROR(
      db_.Write([&](store::Transaction& tx) { return InsertIn(tx, actor, created, context); }));
  return created;
}

Status ApiKeyService::InsertIn(store::Transaction& tx, const Principal& actor, Created& created,
                               const AuditContext& context) {
  ApiKey& key = created.key;
  if (key.branch_id) RETURN_IF_ERROR(internal::CheckBranchInScope(tx, actor, *key.branch_id));
  RETURN_IF_ERROR(
      tx.Execute("INSERT INTO api_key (name, kind, prefix, secret_hash, permissions, branch_id, "
                 "created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 {key.name, key.kind, key.prefix, internal::Sha256Hex(created.secret),
                  JoinNames(key.permissions), key.branch_id, key.created_by,
                  ToUnixMicros(key.created_at), internal::TimestampValue(key.expires_at)}));
  key.id = tx.LastInsertId();
  AuditRecord record = AuditRecord::By(actor, "api_key.create", "api_key", std::to_string(key.id));
  record.details = {{"name", key.name},
                    {"kind", key.kind},
                    {"permissions", key.permissions},
                    {"prefix", key.prefix}};
  if (key.branch_id) record.details["branch_id"] = *key.branch_id;
  return audit_.Append(tx, record, context);
}

Result<Page<ApiKey>> ApiKeyService::List(const Principal& actor, std::string_view cursor,
                                         int limit) {
  if (!actor.Can(Permission::kApiKeysManage)) {
    return PermissionDeniedError("api_keys:manage is required");
  }
  RETURN_IF_ERROR(CheckPageLimit(limit));
  ASSIGN_OR_RETURN(std::optional<int64_t> after, DecodeCursor(cursor));
  std::vector<store::Value> params;
  std::string where = internal::ScopeCondition(actor, "b.path", params);
  where += " AND k.id > ?";
  params.emplace_back(after.value_or(0));
  params.emplace_back(limit + 1);
  std::vector<ApiKey> rows;
  RETURN_IF_ERROR(db_.Read([&](store::Transaction& tx) {
    return tx.Query(fmt::format("SELECT {} FROM {} WHERE {} ORDER BY k.id LIMIT ?", kKeyColumns,
                                kKeyFrom, where),
                    params, [&](const store::Row& row) {
                      rows.push_back(ReadKeyRow(row).key);
                      return Status::Ok();
                    });
  }));
  return MakePage(std::move(rows), limit, [](const ApiKey& k) { return k.id; });
}

Result<ApiKey> ApiKeyService::Get(const Principal& actor, int64_t id) {
  if (!actor.Can(Permission::kApiKeysManage)) {
    return PermissionDeniedError("api_keys:manage is required");
  }
  ApiKey key;
  RETURN_IF_ERROR(db_.Read([&](store::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(KeyRow row, LoadVisibleKey(tx, actor, id));
    key = std::move(row.key);
    return Status::Ok();
  }));
  return key;
}

Status ApiKeyService::Revoke(const Principal& actor, int64_t id, const AuditContext& context) {
  if (!actor.Can(Permission::kApiKeysManage)) {
    return audit_.Denied(AuditRecord::By(actor, "api_key.revoke", "api_key", std::to_string(id)),
                         context, "api_keys:manage is required");
  }
  std::string secret_hash;
  RETURN_IF_ERROR(db_.Write([&](store::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(KeyRow row, LoadVisibleKey(tx, actor, id));
    if (row.key.revoked_at) return Status::Ok();
    ASSIGN_OR_RETURN(secret_hash, tx.QueryOne<std::string>(
                                      "SELECT secret_hash FROM api_key WHERE id = ?", {id},
                                      "API key", [](const store::Row& r) { return r.Text(0); }));
    RETURN_IF_ERROR(tx.Execute("UPDATE api_key SET revoked_at = ? WHERE id = ?",
                               {ToUnixMicros(clock_.Now()), id}));
    AuditRecord record = AuditRecord::By(actor, "api_key.revoke", "api_key", std::to_string(id));
    record.details = {{"name", row.key.name}, {"prefix", row.key.prefix}};
    return audit_.Append(tx, record, context);
  }));
  if (!secret_hash.empty()) {
    {
      std::lock_guard lock(mutex_);
      cache_.erase(secret_hash);
    }
    epoch_->Bump();  // a request racing with the revocation re-checks the store
  }
  return Status::Ok();
}

Result<Principal> ApiKeyService::Authenticate(std::string_view secret) {
  return AuthenticateKind(secret, "api");
}

Result<Principal> ApiKeyService::AuthenticateWriteKey(std::string_view secret) {
  return AuthenticateKind(secret, "write");
}

Result<Principal> ApiKeyService::AuthenticateKind(std::string_view secret, std::string_view kind) {
  const std::string_view prefix = kind == "write" ? kWritePrefix : kApiPrefix;
  if (!secret.starts_with(prefix) || secret.size() > kApiKeySecretLengthMax) {
    return UnauthenticatedError(std::string(kInvalidKey));
  }
  const std::string hash = internal::Sha256Hex(secret);
  const Timestamp now = clock_.Now();
  const uint64_t epoch = epoch_->Get();
  {
    std::unique_lock lock(mutex_);
    auto it = cache_.find(hash);
    if (it != cache_.end()) {
      CacheEntry& entry = it->second;
      if (entry.expires_at && now >= *entry.expires_at) {
        cache_.erase(it);
        return UnauthenticatedError(std::string(kInvalidKey));
      }
      if (entry.epoch == epoch && now - entry.checked_at < kCacheRecheckInterval) {
        const bool touch = now - entry.last_used_stored_at >= kLastSeenWriteInterval;
        if (touch) entry.last_used_stored_at = now;
        Principal principal = entry.principal;
        lock.unlock();
        if (touch) TouchStored(principal.id, now);
        return principal;
      }
    }
  }
  return Reload(hash, kind, now, epoch);
}

Result<Principal> ApiKeyService::Reload(const std::string& hash, std::string_view kind,
                                        Timestamp now, uint64_t epoch) {
  std::optional<KeyRow> row;
  RETURN_IF_ERROR(db_.Read([&](store::Transaction& tx) {
    return tx.Query(
        fmt::format("SELECT {} FROM {} WHERE k.secret_hash = ?", kKeyColumns, kKeyFrom), {hash},
        [&](const store::Row& r) {
          row = ReadKeyRow(r);
          return Status::Ok();
        },
        1);
  }));
  if (!row || row->key.kind != kind || row->key.revoked_at ||
      (row->key.expires_at && now >= *row->key.expires_at)) {
    std::lock_guard lock(mutex_);
    cache_.erase(hash);
    return UnauthenticatedError(std::string(kInvalidKey));
  }
  CacheEntry entry{KeyPrincipal(*row), row->key.expires_at,
                   row->key.last_used_at.value_or(Timestamp()), now, epoch};
  const bool touch = now - entry.last_used_stored_at >= kLastSeenWriteInterval;
  if (touch) entry.last_used_stored_at = now;
  Principal principal = entry.principal;
  CacheInsert(hash, std::move(entry));
  if (touch) TouchStored(principal.id, now);
  return principal;
}

void ApiKeyService::CacheInsert(const std::string& hash, CacheEntry entry) {
  std::lock_guard lock(mutex_);
  if (cache_.size() >= kApiKeyCacheEntriesMax && !cache_.contains(hash)) {
    cache_.erase(cache_.begin());
  }
  cache_.insert_or_assign(hash, std::move(entry));
}

void ApiKeyService::TouchStored(int64_t id, Timestamp now) {
  Status status = db_.Write([&](store::Transaction& tx) {
    return tx.Execute("UPDATE api_key SET last_used_at = ? WHERE id = ?", {ToUnixMicros(now), id});
  });
  if (!status.ok()) log::Warn("auth.api_key_touch_failed", {{"error", status.ToString()}});
}

}  // namespace banyan::auth
