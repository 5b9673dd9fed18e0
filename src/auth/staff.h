// StaffService: the bank employees who use the console — their accounts, roles, branches and
// passwords.
//
// Rules enforced here, not left to callers:
//   - No privilege escalation: an actor may assign a role only if its permission set is a
//     subset of the actor's own, may place staff only in branches within its scope, and may not
//     modify or reset the password of anyone whose current role exceeds its own permissions.
//   - Nobody changes their own role, branch or status (another administrator must), and nobody
//     disables or demotes the last active admin.
//   - Usernames are unique, 3..64 characters of [a-z0-9._-].
//   - Passwords meet CheckPasswordPolicy (password.h) and are stored only as Argon2id hashes;
//     hashing runs before the write transaction so the store is never locked for it.
//   - Disabling someone, changing their role or branch, or setting their password ends their
//     sessions in the same transaction.
// Reads need staff:read, writes staff:write, except that staff may read their own record and
// change their own display name, email and locale; staff outside the actor's scope are NotFound.
// Principal::System() may do anything (the admin CLI uses it to create the first admin).
//
// Used by: the api (/api/v1/staff, /api/v1/me), the admin CLI.
// Thread safety: safe from any thread.

#ifndef BANYAN_AUTH_STAFF_H_
#define BANYAN_AUTH_STAFF_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/audit.h"
#include "auth/page.h"
#include "auth/password.h"
#include "auth/permissions.h"
#include "auth/principal.h"
#include "auth/principal_epoch.h"
#include "base/clock.h"
#include "base/config.h"
#include "base/result.h"
#include "store/database.h"

namespace banyan::auth {

inline constexpr size_t kUsernameLengthMin = 3;
inline constexpr size_t kUsernameLengthMax = 64;
inline constexpr size_t kDisplayNameLengthMax = 128;  // code points
inline constexpr size_t kEmailLengthMax = 254;
inline constexpr size_t kStaffQueryLengthMax = 64;

struct Staff {
  int64_t id = 0;
  std::string username{};
  std::string display_name{};
  std::string email{};  // empty when not given
  Role role = Role::kRelationshipManager;
  int64_t branch_id = 0;
  std::string status{};  // "active" or "disabled"
  std::string locale{};  // "zh-CN" or "en"
  Timestamp created_at{};
  Timestamp updated_at{};
  std::optional<Timestamp> last_login_at{};
  std::optional<Timestamp> locked_until{};
};

struct StaffInput {
  std::string username{};
  std::string display_name{};
  std::string email{};  // optional: empty for none
  std::string password{};
  Role role = Role::kRelationshipManager;
  int64_t branch_id = 0;
  std::string locale = "zh-CN";
};

struct StaffFilter {
  std::optional<int64_t> branch_id{};
  std::optional<Role> role{};
  std::string status{};  // empty: any
  std::string query{};   // substring of username or display name, ignoring case
};

// Absent members are unchanged; an empty email removes it.
struct StaffPatch {
  std::optional<std::string> display_name{};
  std::optional<std::string> email{};
  std::optional<Role> role{};
  std::optional<int64_t> branch_id{};
  std::optional<std::string> status{};
  std::optional<std::string> locale{};
};

class StaffService {
 public:
  // `epoch` (may be null) is bumped after every change so cached sessions re-read the staff.
  StaffService(store::Database& db, const Clock& clock, AuditLog& audit, const Config::Auth& config,
               PasswordHashCost cost = PasswordHashCost::Interactive(),
               PrincipalEpoch* epoch = nullptr);

  Result<Staff> Create(const Principal& actor, const StaffInput& input,
                       const AuditContext& context);
  // Staff may always read their own record.
  Result<Staff> Get(const Principal& actor, int64_t id);
  // Staff in the caller's scope matching `filter`, by id.
  Result<Page<Staff>> List(const Principal& actor, const StaffFilter& filter,
                           std::string_view cursor, int limit);
  Result<Staff> Update(const Principal& actor, int64_t id, const StaffPatch& patch,
                       const AuditContext& context);
  // Sets another staff member's password (an administrator's reset); unlocks the account and
  // ends its sessions. Policy errors are at "/password". For one's own password use
  // ChangeOwnPassword, which asks for the current one.
  Status SetPassword(const Principal& actor, int64_t id, std::string_view new_password,
                     const AuditContext& context);
  // Changes the caller's own password after checking the current one ("/current_password");
  // policy errors are at "/new_password". Ends the caller's other sessions.
  Status ChangeOwnPassword(const Principal& self, std::string_view current,
                           std::string_view new_password, const AuditContext& context);

 private:
  Result<Staff> CreateIn(store::Transaction& tx, const Principal& actor, const StaffInput& input,
                         const std::string& password_hash, const AuditContext& context);
  Result<Staff> UpdateIn(store::Transaction& tx, const Principal& actor, int64_t id,
                         const StaffPatch& patch, const AuditContext& context);

  store::Database& db_;
  const Clock& clock_;
  AuditLog& audit_;
  const Config::Auth config_;
  const PasswordHashCost cost_;
  PrincipalEpoch own_epoch_;
  PrincipalEpoch* epoch_;
};

}  // namespace banyan::auth

#endif  // BANYAN_AUTH_STAFF_H_
