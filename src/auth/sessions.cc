#include "auth/sessions.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "auth/internal/crypto.h"
#include "auth/internal/staff_rows.h"
#include "base/encoding.h"
#include "base/logging.h"

namespace banyan::auth {
namespace {

using internal::StaffRecord;

constexpr std::string_view kCsrfPrefix = "banyan.csrf.v1:";
constexpr std::string_view kInvalidLogin = "invalid username or password";
constexpr std::string_view kInvalidSession = "the session is invalid or has expired";
constexpr size_t kDecoyPasswordBytes = 24;

std::string DeriveCsrfToken(std::string_view token) {
  return Base64UrlEncode(AsBytes(internal::Sha256(std::string(kCsrfPrefix) + std::string(token))));
}

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Credentials that cannot belong to any account skip the store (not the hash: see Login).
bool Plausible(std::string_view username, std::string_view password) {
  return username.size() >= kUsernameLengthMin && username.size() <= kUsernameLengthMax &&
         password.size() <= kPasswordBytesMax;
}

AuditRecord AnonymousRecord(std::string action) {
  AuditRecord r;
  r.actor_kind = "anonymous";
  r.action = std::move(action);
  return r;
}

// Ends sessions beyond the per-staff limit, oldest activity first, and sweeps expired ones.
Status PruneSessions(store::Transaction& tx, int64_t staff_id, Timestamp now,
                     Timestamp idle_cutoff) {
  RETURN_IF_ERROR(tx.Execute("DELETE FROM session WHERE expires_at <= ?", {ToUnixMicros(now)}));
  RETURN_IF_ERROR(tx.Execute("DELETE FROM session WHERE staff_id = ? AND last_seen_at <= ?",
                             {staff_id, ToUnixMicros(idle_cutoff)}));
  std::vector<std::string> excess;
  int64_t kept = 0;
  RETURN_IF_ERROR(
      tx.Query("SELECT id_hash FROM session WHERE staff_id = ? ORDER BY last_seen_at DESC",
               {staff_id}, [&](const store::Row& row) {
                 // Keep one slot free for the session being created.
                 if (++kept >= kSessionsPerStaffMax) excess.push_back(row.Text(0));
                 return Status::Ok();
               }));
  for (const std::string& id : excess) {
    RETURN_IF_ERROR(tx.Execute("DELETE FROM session WHERE id_hash = ?", {id}));
  }
  return Status::Ok();
}

}  // namespace

SessionService::SessionService(store::Database& db, const Clock& clock, Random& random,
                               AuditLog& audit, const Config::Auth& config, PasswordHashCost cost,
                               PrincipalEpoch* epoch)
    : db_(db),
      clock_(clock),
      random_(random),
      audit_(audit),
      config_(config),
      cost_(cost),
      epoch_(epoch ? epoch : &own_epoch_),
      throttle_(kLoginFailuresPerAddressMax, kLoginThrottleWindow, kLoginThrottleAddressesMax) {
  internal::EnsureSodium();
  Result<std::string> decoy = HashPassword(RandomToken(random_, kDecoyPasswordBytes), cost_);
  CHECK(decoy.ok(), "cannot compute the decoy password hash: {}", decoy.status().ToString());
  decoy_hash_ = std::move(*decoy);
}

Result<LoginResult> SessionService::Login(std::string_view username_text, std::string_view password,
                                          const AuditContext& context) {
  const Timestamp now = clock_.Now();
  if (auto wait = throttle_.Check(context.remote_address, clock_.Monotonic())) {
    const auto seconds = std::chrono::ceil<std::chrono::seconds>(*wait).count();
    log::Warn("auth.login_throttled", {{"remote_address", context.remote_address}});
    return ResourceExhaustedError(
        fmt::format("too many log-in attempts from this address; retry in {} s", seconds));
  }
  const std::string username = AsciiLower(username_text);
  std::optional<StaffRecord> record;
  if (Plausible(username, password)) {
    RETURN_IF_ERROR(db_.Read([&](store::Transaction& tx) -> Status {
      ASSIGN_OR_RETURN(record, internal::FindStaffByUsername(tx, username));
      return Status::Ok();
    }));
  }
  if (record && record->staff.locked_until && *record->staff.locked_until > now) {
    AuditRecord refused = AuditRecord::By(internal::StaffPrincipal(*record), "auth.login_failed",
                                          "staff", std::to_string(record->staff.id));
    refused.outcome = "denied";
    refused.details = {{"reason", "locked"}};
    RETURN_IF_ERROR(audit_.Record(refused, context));
    return internal::LockedError(*record->staff.locked_until);
  }
  // Always one Argon2id verification, against the decoy hash when there is no account, so the
  // answer takes as long for an unknown username as for a wrong password.
  const bool password_ok =
      VerifyPassword(record ? record->password_hash : decoy_hash_, password) && record;
  if (!password_ok || record->staff.status != "active") {
    std::optional<Principal> staff;
    if (record) staff = internal::StaffPrincipal(*record);
    return FailLogin(staff, context, now);
  }
  std::string rehash;
  if (PasswordNeedsRehash(record->password_hash, cost_)) {
    ASSIGN_OR_RETURN(rehash, HashPassword(password, cost_));
  }
  return StartSession(internal::StaffPrincipal(*record), rehash, context, now);
}

Result<LoginResult> SessionService::FailLogin(const std::optional<Principal>& staff,
                                              const AuditContext& context, Timestamp now) {
  throttle_.RecordFailure(context.remote_address, clock_.Monotonic());
  std::optional<Timestamp> locked;
  RETURN_IF_ERROR(db_.Write([&](store::Transaction& tx) -> Status {
    // The username typed for an unknown account is not recorded: people sometimes type their
    // password into the username field.
    AuditRecord failed = AnonymousRecord("auth.login_failed");
    if (staff) {
      ASSIGN_OR_RETURN(locked, internal::CountFailedAttempt(tx, staff->id, now, config_));
      failed = AuditRecord::By(*staff, "auth.login_failed", "staff", std::to_string(staff->id));
    }
    failed.outcome = "failure";
    failed.details = {{"reason", "invalid credentials"}};
    RETURN_IF_ERROR(audit_.Append(tx, failed, context));
    if (!locked) return Status::Ok();
    AuditRecord lockout = failed;
    lockout.action = "auth.lockout";
    lockout.outcome = "success";
    lockout.details = {{"until", ToUnixSeconds(*locked)}, {"failures", config_.login_failures_max}};
    return audit_.Append(tx, lockout, context);
  }));
  if (locked) return internal::LockedError(*locked);
  return UnauthenticatedError(std::string(kInvalidLogin));
}

Result<LoginResult> SessionService::StartSession(const Principal& staff, const std::string& rehash,
                                                 const AuditContext& context, Timestamp now) {
  LoginResult result;
  result.token = RandomToken(random_, kSessionTokenBytes);
  result.csrf_token = DeriveCsrfToken(result.token);
  result.expires_at = now + std::chrono::seconds(config_.session_absolute_timeout_s);
  result.principal = staff;
  result.principal.session_id = internal::Sha256Hex(result.token);
  result.principal.csrf_token = result.csrf_token;
  const Timestamp idle_cutoff = now - std::chrono::seconds(config_.session_idle_timeout_s);
  RETURN_IF_ERROR(db_.Write([&](store::Transaction& tx) -> Status {
    RETURN_IF_ERROR(
        tx.Execute("UPDATE staff SET failed_logins = 0, locked_until = NULL, last_login_at = ? "
                   "WHERE id = ? AND status = 'active'",
                   {ToUnixMicros(now), staff.id}));
    if (tx.Changes() == 0) return UnauthenticatedError(std::string(kInvalidLogin));
    if (!rehash.empty()) {
      RETURN_IF_ERROR(
          tx.Execute("UPDATE staff SET password_hash = ? WHERE id = ?", {rehash, staff.id}));
    }
    RETURN_IF_ERROR(PruneSessions(tx, staff.id, now, idle_cutoff));
    RETURN_IF_ERROR(
        tx.Execute("INSERT INTO session (id_hash, staff_id, created_at, last_seen_at, expires_at, "
                   "remote_address) VALUES (?, ?, ?, ?, ?, ?)",
                   {result.principal.session_id, staff.id, ToUnixMicros(now), ToUnixMicros(now),
                    ToUnixMicros(result.expires_at), context.remote_address}));
    return audit_.Append(
        tx, AuditRecord::By(staff, "auth.login", "staff", std::to_string(staff.id)), context);
  }));
  CacheInsert(result.principal.session_id,
              CacheEntry{result.principal, result.expires_at, now, now, now, epoch_->Get()});
  return result;
}

bool SessionService::Expired(Timestamp expires_at, Timestamp last_seen_at, Timestamp now) const {
  return now >= expires_at ||
         now - last_seen_at >= std::chrono::seconds(config_.session_idle_timeout_s);
}

Result<Principal> SessionService::Authenticate(std::string_view token) {
  if (token.empty() || token.size() > kSessionTokenLengthMax) {
    return UnauthenticatedError(std::string(kInvalidSession));
  }
  const std::string id = internal::Sha256Hex(token);
  const Timestamp now = clock_.Now();
  const uint64_t epoch = epoch_->Get();
  std::optional<Timestamp> remembered_last_seen;
  {
    std::unique_lock lock(mutex_);
    auto it = cache_.find(id);
    if (it != cache_.end()) {
      CacheEntry& entry = it->second;
      if (Expired(entry.expires_at, entry.last_seen_at, now)) {
        cache_.erase(it);
        return UnauthenticatedError(std::string(kInvalidSession));
      }
      if (entry.epoch == epoch && now - entry.checked_at < kCacheRecheckInterval) {
        entry.last_seen_at = now;
        const bool touch = now - entry.last_seen_stored_at >= kLastSeenWriteInterval;
        if (touch) entry.last_seen_stored_at = now;
        Principal principal = entry.principal;
        lock.unlock();
        if (touch) TouchStored(id, now);
        return principal;
      }
      remembered_last_seen = entry.last_seen_at;
    }
  }
  return Reload(token, id, now, epoch, remembered_last_seen);
}

Result<Principal> SessionService::Reload(std::string_view token, const std::string& id,
                                         Timestamp now, uint64_t epoch,
                                         std::optional<Timestamp> remembered_last_seen) {
  struct Stored {
    int64_t staff_id;
    Timestamp last_seen_at;
    Timestamp expires_at;
  };
  std::optional<Stored> stored;
  std::optional<StaffRecord> staff;
  RETURN_IF_ERROR(db_.Read([&](store::Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.Query(
        "SELECT staff_id, last_seen_at, expires_at FROM session WHERE id_hash = ?", {id},
        [&](const store::Row& row) {
          stored = Stored{row.Int(0), FromUnixMicros(row.Int(1)), FromUnixMicros(row.Int(2))};
          return Status::Ok();
        },
        1));
    if (!stored) return Status::Ok();
    Result<StaffRecord> record = internal::LoadStaff(tx, stored->staff_id);
    if (record.ok()) staff = std::move(*record);
    return record.status().code() == StatusCode::kNotFound ? Status::Ok() : record.status();
  }));
  const Timestamp last_seen =
      std::max(stored ? stored->last_seen_at : now, remembered_last_seen.value_or(Timestamp()));
  if (!stored || !staff || staff->staff.status != "active" ||
      Expired(stored->expires_at, last_seen, now)) {
    CacheErase(id);
    return UnauthenticatedError(std::string(kInvalidSession));
  }
  CacheEntry entry{
      internal::StaffPrincipal(*staff), stored->expires_at, now, stored->last_seen_at, now, epoch};
  entry.principal.session_id = id;
  entry.principal.csrf_token = DeriveCsrfToken(token);
  Principal principal = entry.principal;
  const bool touch = now - entry.last_seen_stored_at >= kLastSeenWriteInterval;
  if (touch) entry.last_seen_stored_at = now;
  CacheInsert(id, std::move(entry));
  if (touch) TouchStored(id, now);
  return principal;
}

void SessionService::TouchStored(const std::string& id, Timestamp now) {
  Status status = db_.Write([&](store::Transaction& tx) {
    return tx.Execute("UPDATE session SET last_seen_at = ? WHERE id_hash = ?",
                      {ToUnixMicros(now), id});
  });
  // Losing one activity update only makes the idle timeout a little stricter after a restart.
  if (!status.ok()) log::Warn("auth.session_touch_failed", {{"error", status.ToString()}});
}

void SessionService::CacheInsert(const std::string& id, CacheEntry entry) {
  const Timestamp now = entry.checked_at;
  std::lock_guard lock(mutex_);
  if (cache_.size() >= kSessionCacheEntriesMax && !cache_.contains(id)) {
    std::erase_if(cache_, [&](const auto& item) {
      return Expired(item.second.expires_at, item.second.last_seen_at, now);
    });
    if (cache_.size() >= kSessionCacheEntriesMax) cache_.erase(cache_.begin());
  }
  cache_.insert_or_assign(id, std::move(entry));
}

void SessionService::CacheErase(const std::string& id) {
  std::lock_guard lock(mutex_);
  cache_.erase(id);
}

Status SessionService::Logout(const Principal& principal, const AuditContext& context) {
  if (principal.kind != PrincipalKind::kStaff || principal.session_id.empty()) {
    return FailedPreconditionError("only a console session can log out");
  }
  RETURN_IF_ERROR(db_.Write([&](store::Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.Execute("DELETE FROM session WHERE id_hash = ?", {principal.session_id}));
    return audit_.Append(
        tx, AuditRecord::By(principal, "auth.logout", "staff", std::to_string(principal.id)),
        context);
  }));
  CacheErase(principal.session_id);
  // A request racing with this one may have re-read the session just before it was deleted;
  // moving the epoch makes such an entry re-check the store.
  epoch_->Bump();
  return Status::Ok();
}

Status SessionService::RevokeAllFor(int64_t staff_id) {
  RETURN_IF_ERROR(db_.Write([&](store::Transaction& tx) {
    return tx.Execute("DELETE FROM session WHERE staff_id = ?", {staff_id});
  }));
  {
    std::lock_guard lock(mutex_);
    std::erase_if(cache_, [&](const auto& item) {
      return item.second.principal.kind == PrincipalKind::kStaff &&
             item.second.principal.id == staff_id;
    });
  }
  epoch_->Bump();
  return Status::Ok();
}

}  // namespace banyan::auth
