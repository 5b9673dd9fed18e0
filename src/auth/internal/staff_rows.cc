#include "auth/internal/staff_rows.h"

#include <fmt/format.h>

#include "auth/internal/rows.h"
#include "base/time.h"

namespace banyan::auth::internal {

const std::string_view kSelectStaff =
    "SELECT s.id, s.username, s.display_name, s.email, s.role, s.branch_id, s.status, s.locale, "
    "s.created_at, s.updated_at, s.last_login_at, s.locked_until, s.password_hash, "
    "s.failed_logins, b.path, CASE WHEN b.parent_id IS NULL THEN 1 ELSE 0 END "
    "FROM staff s JOIN branch b ON b.id = s.branch_id";

std::optional<StaffRecord> ReadStaffRecord(const store::Row& row) {
  const std::optional<Role> role = ParseRole(row.Text(4));
  if (!role) return std::nullopt;
  StaffRecord r;
  Staff& s = r.staff;
  s.id = row.Int(0);
  s.username = row.Text(1);
  s.display_name = row.Text(2);
  s.email = row.Text(3);
  s.role = *role;
  s.branch_id = row.Int(5);
  s.status = row.Text(6);
  s.locale = row.Text(7);
  s.created_at = FromUnixMicros(row.Int(8));
  s.updated_at = FromUnixMicros(row.Int(9));
  s.last_login_at = OptionalTimestamp(row, 10);
  s.locked_until = OptionalTimestamp(row, 11);
  r.password_hash = row.Text(12);
  r.failed_logins = row.Int(13);
  r.branch_path = row.Text(14);
  r.at_head_office = row.Int(15) != 0;
  return r;
}

namespace {
Result<std::optional<StaffRecord>> FindOne(store::Transaction& tx, std::string_view where,
                                           const store::Value& key) {
  std::optional<StaffRecord> found;
  Status status = tx.Query(
      fmt::format("{} WHERE {}", kSelectStaff, where), {key},
      [&](const store::Row& row) -> Status {
        found = ReadStaffRecord(row);
        if (!found) return DataLossError(fmt::format("staff {} has an unknown role", row.Int(0)));
        return Status::Ok();
      },
      1);
  RETURN_IF_ERROR(status);
  return found;
}
}  // namespace

Result<StaffRecord> LoadStaff(store::Transaction& tx, int64_t id) {
  ASSIGN_OR_RETURN(std::optional<StaffRecord> found, FindOne(tx, "s.id = ?", id));
  if (!found) return NotFoundError("staff not found");
  return std::move(*found);
}

Result<std::optional<StaffRecord>> FindStaffByUsername(store::Transaction& tx,
                                                       std::string_view username) {
  return FindOne(tx, "s.username = ?", username);
}

Principal StaffPrincipal(const StaffRecord& record) {
  Principal p;
  p.kind = PrincipalKind::kStaff;
  p.id = record.staff.id;
  p.name = record.staff.username;
  p.role = record.staff.role;
  p.permissions = RolePermissions(record.staff.role);
  p.branch_id = record.staff.branch_id;
  p.branch_path = record.branch_path;
  p.scope = ScopeForStaff(record.staff.role, record.at_head_office);
  p.locale = record.staff.locale;
  return p;
}

Result<std::optional<Timestamp>> CountFailedAttempt(store::Transaction& tx, int64_t staff_id,
                                                    Timestamp now, const Config::Auth& config) {
  RETURN_IF_ERROR(
      tx.Execute("UPDATE staff SET failed_logins = failed_logins + 1 WHERE id = ?", {staff_id}));
  ASSIGN_OR_RETURN(int64_t failures,
                   tx.QueryOne<int64_t>("SELECT failed_logins FROM staff WHERE id = ?", {staff_id},
                                        "staff", [](const store::Row& r) { return r.Int(0); }));
  if (failures < config.login_failures_max) return std::optional<Timestamp>();
  const Timestamp until = now + std::chrono::seconds(config.lockout_s);
  RETURN_IF_ERROR(tx.Execute("UPDATE staff SET failed_logins = 0, locked_until = ? WHERE id = ?",
                             {ToUnixMicros(until), staff_id}));
  return std::optional<Timestamp>(until);
}

Status LockedError(Timestamp until) {
  return ResourceExhaustedError(
      fmt::format("too many failed attempts: the account is locked until {}",
                  FormatRfc3339(std::chrono::floor<std::chrono::seconds>(until))));
}

}  // namespace banyan::auth::internal
