#include "auth/staff.h"

#include <fmt/format.h>

#include <utility>

#include "auth/internal/rows.h"
#include "auth/internal/staff_rows.h"

namespace banyan::auth {
namespace {

using internal::StaffRecord;

bool IsUsernameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

Status CheckUsername(std::string_view username) {
  bool ok = username.size() >= kUsernameLengthMin && username.size() <= kUsernameLengthMax;
  for (char c : username) ok = ok && IsUsernameChar(c);
  if (!ok) {
    return InvalidArgumentError(fmt::format("must be {}..{} of a-z, 0-9, '.', '_', '-'",
                                            kUsernameLengthMin, kUsernameLengthMax),
                                "/username");
  }
  return Status::Ok();
}

Status CheckDisplayName(std::string_view name) {
  const size_t length = internal::CodePointCount(name);
  if (!internal::IsPrintableUtf8(name) || length == 0 || length > kDisplayNameLengthMax) {
    return InvalidArgumentError(
        fmt::format("must be 1..{} characters of text", kDisplayNameLengthMax), "/display_name");
  }
  return Status::Ok();
}

// A deliberately loose check: one '@' with something on both sides, no spaces or controls.
Status CheckEmail(std::string_view email) {
  if (email.empty()) return Status::Ok();
  const size_t at = email.find('@');
  const bool ok = email.size() <= kEmailLengthMax && internal::IsPrintableUtf8(email) &&
                  email.find(' ') == std::string_view::npos && at != std::string_view::npos &&
                  at > 0 && at + 1 < email.size() && email.find('@', at + 1) == email.npos;
  if (!ok) return InvalidArgumentError("is not an email address", "/email");
  return Status::Ok();
}

Status CheckLocale(std::string_view locale) {
  if (locale != "zh-CN" && locale != "en") {
    return InvalidArgumentError("must be zh-CN or en", "/locale");
  }
  return Status::Ok();
}

Status CheckStatus(std::string_view status) {
  if (status != "active" && status != "disabled") {
    return InvalidArgumentError("must be active or disabled", "/status");
  }
  return Status::Ok();
}

// Empty when `actor` may hand out `role`; otherwise why not.
std::string EscalationProblem(const Principal& actor, Role role) {
  if (IsSubset(RolePermissions(role), actor.permissions)) return {};
  return fmt::format("cannot assign role {}: it has permissions you do not hold", RoleName(role));
}

bool IsSelf(const Principal& actor, int64_t staff_id) {
  return actor.kind == PrincipalKind::kStaff && actor.id == staff_id;
}

// Loads staff `id` if `actor` may see it (NotFound otherwise).
Result<StaffRecord> LoadVisibleStaff(store::Transaction& tx, const Principal& actor, int64_t id) {
  ASSIGN_OR_RETURN(StaffRecord record, internal::LoadStaff(tx, id));
  if (!actor.CanSeeBranchPath(record.branch_path)) return NotFoundError("staff not found");
  return record;
}

Status CountsAnotherActiveAdmin(store::Transaction& tx, int64_t except_id) {
  ASSIGN_OR_RETURN(
      int64_t others,
      tx.QueryOne<int64_t>("SELECT COUNT(*) FROM staff WHERE role = 'admin' AND status = 'active' "
                           "AND id <> ?",
                           {except_id}, "count", [](const store::Row& r) { return r.Int(0); }));
  if (others == 0) {
    return FailedPreconditionError("the last active admin cannot be disabled or demoted");
  }
  return Status::Ok();
}

Json Changes(const Staff& before, const Staff& after) {
  Json changes = Json::object();
  auto note = [&](const char* key, const auto& old_value, const auto& new_value) {
    if (old_value != new_value) changes[key] = {{"from", old_value}, {"to", new_value}};
  };
  note("display_name", before.display_name, after.display_name);
  note("email", before.email, after.email);
  note("role", RoleName(before.role), RoleName(after.role));
  note("branch_id", before.branch_id, after.branch_id);
  note("status", before.status, after.status);
  note("locale", before.locale, after.locale);
  return changes;
}

// Records a refusal after the transaction that found it has rolled back.
Status AuditIfDenied(AuditLog& audit, Status status, const Principal& actor, std::string action,
                     int64_t target, const AuditContext& context) {
  if (status.code() != StatusCode::kPermissionDenied) return status;
  return audit.Denied(AuditRecord::By(actor, std::move(action), "staff", std::to_string(target)),
                      context, status.message());
}

}  // namespace

StaffService::StaffService(store::Database& db, const Clock& clock, AuditLog& audit,
                           const Config::Auth& config, PasswordHashCost cost, PrincipalEpoch* epoch)
    : db_(db),
      clock_(clock),
      audit_(audit),
      config_(config),
      cost_(cost),
      epoch_(epoch ? epoch : &own_epoch_) {}

Result<Staff> StaffService::Create(const Principal& actor, const StaffInput& input,
                                   const AuditContext& context) {
  if (!actor.Can(Permission::kStaffWrite)) {
    return audit_.Denied(AuditRecord::By(actor, "staff.create", "staff", ""), context,
                         "staff:write is required");
  }
  RETURN_IF_ERROR(CheckUsername(input.username));
  RETURN_IF_ERROR(CheckDisplayName(input.display_name));
  RETURN_IF_ERROR(CheckEmail(input.email));
  RETURN_IF_ERROR(CheckLocale(input.locale));
  RETURN_IF_ERROR(CheckPasswordPolicy(input.password, input.username, config_.password_length_min,
                                      "/password"));
  if (std::string problem = EscalationProblem(actor, input.role); !problem.empty()) {
    return audit_.Denied(AuditRecord::By(actor, "staff.create", "staff", ""), context, problem);
  }
  ASSIGN_OR_RETURN(const std::string hash, HashPassword(input.password, cost_));
  Staff created;
  RETURN_IF_ERROR(db_.Write([&](store::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(created, CreateIn(tx, actor, input, hash, context));
    return Status::Ok();
  }));
  return created;
}

Result<Staff> StaffService::CreateIn(store::Transaction& tx, const Principal& actor,
                                     const StaffInput& input, const std::string& password_hash,
                                     const AuditContext& context) {
  RETURN_IF_ERROR(internal::CheckBranchInScope(tx, actor, input.branch_id));
  Staff s;
  s.username = input.username;
  s.display_name = input.display_name;
  s.email = input.email;
  s.role = input.role;
  s.branch_id = input.branch_id;
  s.status = "active";
  s.locale = input.locale;
  s.created_at = s.updated_at = clock_.Now();
  Status inserted = tx.Execute(
      "INSERT INTO staff (username, display_name, email, password_hash, role, branch_id, status, "
      "locale, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {s.username, s.display_name, s.email, password_hash, RoleName(s.role), s.branch_id, s.status,
       s.locale, ToUnixMicros(s.created_at), ToUnixMicros(s.updated_at)});
  if (inserted.code() == StatusCode::kAlreadyExists) {
    return AlreadyExistsError("this username is taken", "/username");
  }
  RETURN_IF_ERROR(inserted);
  s.id = tx.LastInsertId();
  AuditRecord record = AuditRecord::By(actor, "staff.create", "staff", std::to_string(s.id));
  record.details = {
      {"username", s.username}, {"role", RoleName(s.role)}, {"branch_id", s.branch_id}};
  RETURN_IF_ERROR(audit_.Append(tx, record, context));
  return s;
}

Result<Staff> StaffService::Get(const Principal& actor, int64_t id) {
  const bool self = IsSelf(actor, id);
  if (!self && !actor.Can(Permission::kStaffRead)) {
    return PermissionDeniedError("staff:read is required");
  }
  Staff staff;
  RETURN_IF_ERROR(db_.Read([&](store::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(StaffRecord record,
                     self ? internal::LoadStaff(tx, id) : LoadVisibleStaff(tx, actor, id));
    staff = std::move(record.staff);
    return Status::Ok();
  }));
  return staff;
}

Result<Page<Staff>> StaffService::List(const Principal& actor, const StaffFilter& filter,
                                       std::string_view cursor, int limit) {
  if (!actor.Can(Permission::kStaffRead)) return PermissionDeniedError("staff:read is required");
  RETURN_IF_ERROR(CheckPageLimit(limit));
  ASSIGN_OR_RETURN(std::optional<int64_t> after, DecodeCursor(cursor));
  if (!filter.status.empty()) RETURN_IF_ERROR(CheckStatus(filter.status));
  if (filter.query.size() > kStaffQueryLengthMax) {
    return InvalidArgumentError(fmt::format("must be at most {} bytes", kStaffQueryLengthMax),
                                "/query");
  }
  std::vector<store::Value> params;
  std::string where = internal::ScopeCondition(actor, "b.path", params);
  if (filter.branch_id) {
    where += " AND s.branch_id = ?";
    params.emplace_back(*filter.branch_id);
  }
  if (filter.role) {
    where += " AND s.role = ?";
    params.emplace_back(RoleName(*filter.role));
  }
  if (!filter.status.empty()) {
    where += " AND s.status = ?";
    params.emplace_back(filter.status);
  }
  if (!filter.query.empty()) {
    where +=
        " AND (LOWER(s.username) LIKE LOWER(?) ESCAPE '\\' OR "
        "LOWER(s.display_name) LIKE LOWER(?) ESCAPE '\\')";
    params.emplace_back(internal::ContainsPattern(filter.query));
    params.emplace_back(internal::ContainsPattern(filter.query));
  }
  where += " AND s.id > ?";
  params.emplace_back(after.value_or(0));
  params.emplace_back(limit + 1);
  std::vector<Staff> rows;
  RETURN_IF_ERROR(db_.Read([&](store::Transaction& tx) {
    return tx.Query(fmt::format("{} WHERE {} ORDER BY s.id LIMIT ?", internal::kSelectStaff, where),
                    params, [&](const store::Row& row) -> Status {
                      std::optional<StaffRecord> record = internal::ReadStaffRecord(row);
                      if (!record) return DataLossError("a staff row has an unknown role");
                      rows.push_back(std::move(record->staff));
                      return Status::Ok();
                    });
  }));
  return MakePage(std::move(rows), limit, [](const Staff& s) { return s.id; });
}

Result<Staff> StaffService::Update(const Principal& actor, int64_t id, const StaffPatch& patch,
                                   const AuditContext& context) {
  // Everyone may edit their own name, email and language; anything else needs staff:write.
  const bool personal_only = !patch.role && !patch.branch_id && !patch.status;
  if (!actor.Can(Permission::kStaffWrite) && !(IsSelf(actor, id) && personal_only)) {
    return audit_.Denied(AuditRecord::By(actor, "staff.update", "staff", std::to_string(id)),
                         context, "staff:write is required");
  }
  if (patch.display_name) RETURN_IF_ERROR(CheckDisplayName(*patch.display_name));
  if (patch.email) RETURN_IF_ERROR(CheckEmail(*patch.email));
  if (patch.status) RETURN_IF_ERROR(CheckStatus(*patch.status));
  if (patch.locale) RETURN_IF_ERROR(CheckLocale(*patch.locale));
  Staff updated;
  Status status = db_.Write([&](store::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(updated, UpdateIn(tx, actor, id, patch, context));
    return Status::Ok();
  });
  RETURN_IF_ERROR(AuditIfDenied(audit_, status, actor, "staff.update", id, context));
  epoch_->Bump();
  return updated;
}

Result<Staff> StaffService::UpdateIn(store::Transaction& tx, const Principal& actor, int64_t id,
                                     const StaffPatch& patch, const AuditContext& context) {
  ASSIGN_OR_RETURN(StaffRecord record, LoadVisibleStaff(tx, actor, id));
  const Staff& before = record.staff;
  Staff after = before;
  if (patch.display_name) after.display_name = *patch.display_name;
  if (patch.email) after.email = *patch.email;
  if (patch.role) after.role = *patch.role;
  if (patch.branch_id) after.branch_id = *patch.branch_id;
  if (patch.status) after.status = *patch.status;
  if (patch.locale) after.locale = *patch.locale;
  const bool access_changed = after.role != before.role || after.branch_id != before.branch_id ||
                              after.status != before.status;
  if (access_changed && IsSelf(actor, id)) {
    return PermissionDeniedError("you cannot change your own role, branch or status");
  }
  if (std::string problem = EscalationProblem(actor, before.role); !problem.empty()) {
    return PermissionDeniedError(
        fmt::format("cannot modify staff with role {}: it has permissions you do not hold",
                    RoleName(before.role)));
  }
  if (std::string problem = EscalationProblem(actor, after.role); !problem.empty()) {
    return PermissionDeniedError(problem);
  }
  if (after.branch_id != before.branch_id) {
    RETURN_IF_ERROR(internal::CheckBranchInScope(tx, actor, after.branch_id));
  }
  if (before.role == Role::kAdmin && before.status == "active" &&
      (after.role != Role::kAdmin || after.status != "active")) {
    RETURN_IF_ERROR(CountsAnotherActiveAdmin(tx, id));
  }
  after.updated_at = clock_.Now();
  RETURN_IF_ERROR(tx.Execute(
      "UPDATE staff SET display_name = ?, email = ?, role = ?, branch_id = ?, status = ?, "
      "locale = ?, updated_at = ? WHERE id = ?",
      {after.display_name, after.email, RoleName(after.role), after.branch_id, after.status,
       after.locale, ToUnixMicros(after.updated_at), id}));
  if (access_changed) {
    RETURN_IF_ERROR(tx.Execute("DELETE FROM session WHERE staff_id = ?", {id}));
  }
  AuditRecord audit_record = AuditRecord::By(actor, "staff.update", "staff", std::to_string(id));
  audit_record.details = Changes(before, after);
  RETURN_IF_ERROR(audit_.Append(tx, audit_record, context));
  return after;
}

Status StaffService::SetPassword(const Principal& actor, int64_t id, std::string_view new_password,
                                 const AuditContext& context) {
  if (!actor.Can(Permission::kStaffWrite)) {
    return audit_.Denied(
        AuditRecord::By(actor, "staff.password_reset", "staff", std::to_string(id)), context,
        "staff:write is required");
  }
  if (IsSelf(actor, id)) {
    return PermissionDeniedError("change your own password with your current password");
  }
  // Read first to check the policy against the username, then hash outside any transaction.
  std::string username;
  auto check_target = [&](store::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(StaffRecord record, LoadVisibleStaff(tx, actor, id));
    if (!EscalationProblem(actor, record.staff.role).empty()) {
      return PermissionDeniedError(
          fmt::format("cannot set the password of staff with role {}: it has permissions you "
                      "do not hold",
                      RoleName(record.staff.role)));
    }
    username = record.staff.username;
    return Status::Ok();
  };
  RETURN_IF_ERROR(
      AuditIfDenied(audit_, db_.Read(check_target), actor, "staff.password_reset", id, context));
  RETURN_IF_ERROR(
      CheckPasswordPolicy(new_password, username, config_.password_length_min, "/password"));
  ASSIGN_OR_RETURN(const std::string hash, HashPassword(new_password, cost_));
  Status status = db_.Write([&](store::Transaction& tx) -> Status {
    RETURN_IF_ERROR(check_target(tx));  // again: the role may have changed meanwhile
    RETURN_IF_ERROR(
        tx.Execute("UPDATE staff SET password_hash = ?, failed_logins = 0, locked_until = NULL, "
                   "updated_at = ? WHERE id = ?",
                   {hash, ToUnixMicros(clock_.Now()), id}));
    RETURN_IF_ERROR(tx.Execute("DELETE FROM session WHERE staff_id = ?", {id}));
    return audit_.Append(
        tx, AuditRecord::By(actor, "staff.password_reset", "staff", std::to_string(id)), context);
  });
  RETURN_IF_ERROR(AuditIfDenied(audit_, status, actor, "staff.password_reset", id, context));
  epoch_->Bump();
  return Status::Ok();
}

Status StaffService::ChangeOwnPassword(const Principal& self, std::string_view current,
                                       std::string_view new_password, const AuditContext& context) {
  if (self.kind != PrincipalKind::kStaff) {
    return FailedPreconditionError("only staff members have passwords");
  }
  StaffRecord record;
  RETURN_IF_ERROR(db_.Read([&](store::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(record, internal::LoadStaff(tx, self.id));
    return Status::Ok();
  }));
  const Timestamp now = clock_.Now();
  if (record.staff.locked_until && *record.staff.locked_until > now) {
    return internal::LockedError(*record.staff.locked_until);
  }
  const std::string target = std::to_string(self.id);
  if (current.size() > kPasswordBytesMax || !VerifyPassword(record.password_hash, current)) {
    // Counts towards lock-out like a failed login, so a stolen session cannot be used to guess.
    std::optional<Timestamp> locked;
    RETURN_IF_ERROR(db_.Write([&](store::Transaction& tx) -> Status {
      ASSIGN_OR_RETURN(locked, internal::CountFailedAttempt(tx, self.id, now, config_));
      AuditRecord failed = AuditRecord::By(self, "staff.password_change", "staff", target);
      failed.outcome = "failure";
      failed.details = {{"reason", "wrong current password"}, {"locked", locked.has_value()}};
      return audit_.Append(tx, failed, context);
    }));
    if (locked) return internal::LockedError(*locked);
    return InvalidArgumentError("is not your current password", "/current_password");
  }
  RETURN_IF_ERROR(CheckPasswordPolicy(new_password, record.staff.username,
                                      config_.password_length_min, "/new_password"));
  ASSIGN_OR_RETURN(const std::string hash, HashPassword(new_password, cost_));
  RETURN_IF_ERROR(db_.Write([&](store::Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.Execute(
        "UPDATE staff SET password_hash = ?, failed_logins = 0, updated_at = ? WHERE id = ?",
        {hash, ToUnixMicros(now), self.id}));
    // The session making the change stays; every other session ends.
    RETURN_IF_ERROR(tx.Execute("DELETE FROM session WHERE staff_id = ? AND id_hash <> ?",
                               {self.id, self.session_id}));
    return audit_.Append(tx, AuditRecord::By(self, "staff.password_change", "staff", target),
                         context);
  }));
  epoch_->Bump();
  return Status::Ok();
}

}  // namespace banyan::auth
