// Reading staff rows (with their branch) and turning them into Principals; the shared
// failed-attempt counter behind lock-out. Private to the auth module.
//
// Thread safety: stateless functions over a caller's transaction.

#ifndef BANYAN_AUTH_INTERNAL_STAFF_ROWS_H_
#define BANYAN_AUTH_INTERNAL_STAFF_ROWS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/principal.h"
#include "auth/staff.h"
#include "base/clock.h"
#include "base/config.h"
#include "store/database.h"

namespace banyan::auth::internal {

// One staff row joined with its branch. Never leaves the auth module (it holds the hash).
struct StaffRecord {
  Staff staff;
  std::string password_hash;
  int64_t failed_logins = 0;
  std::string branch_path;
  bool at_head_office = false;
};

// "SELECT <columns> FROM staff s JOIN branch b ON b.id = s.branch_id"; append a WHERE clause.
extern const std::string_view kSelectStaff;
// Maps a row of kSelectStaff. Returns nullopt when the stored role is unknown (a newer schema).
std::optional<StaffRecord> ReadStaffRecord(const store::Row& row);

// NotFound("staff not found") when there is no such staff member.
Result<StaffRecord> LoadStaff(store::Transaction& tx, int64_t id);
// nullopt when there is no such username.
Result<std::optional<StaffRecord>> FindStaffByUsername(store::Transaction& tx,
                                                       std::string_view username);

// The Principal of an active staff member (without session fields).
Principal StaffPrincipal(const StaffRecord& record);

// Counts one failed password attempt against `staff_id`; when the count reaches
// config.login_failures_max the account is locked for config.lockout_s and the count restarts.
// Returns the lock expiry when this attempt locked the account.
Result<std::optional<Timestamp>> CountFailedAttempt(store::Transaction& tx, int64_t staff_id,
                                                    Timestamp now, const Config::Auth& config);

// ResourceExhausted naming the unlock time, for an account locked until `until`.
Status LockedError(Timestamp until);

}  // namespace banyan::auth::internal

#endif  // BANYAN_AUTH_INTERNAL_STAFF_ROWS_H_
