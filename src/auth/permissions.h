// Permissions and roles: what a principal may do, and the fixed role → permission table.
//
// A Permission is one capability ("customers:read", "pii:unmask"). A Role is a named, fixed
// set of permissions given to staff; API keys carry an explicit set instead. The table is the
// single source of truth for authorisation in every module and is documented, with the reasons
// for each grant, in docs/security.md. What a permission reaches is further limited by the
// principal's scope (see principal.h).
//
// Used by: every api handler (Principal::Can), StaffService (no-escalation rule), ApiKeyService.
// Thread safety: stateless functions over constant tables; safe from any thread.

#ifndef BANYAN_AUTH_PERMISSIONS_H_
#define BANYAN_AUTH_PERMISSIONS_H_

#include <bitset>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace banyan::auth {

// Append new permissions before kCount; the numeric values are not stored anywhere (storage
// and the API use the names), so the order may change.
enum class Permission {
  kStaffRead,
  kStaffWrite,
  kBranchesRead,
  kBranchesWrite,
  kApiKeysManage,
  kAuditRead,
  kMetricsRead,
  kEventsWrite,
  kEventsRead,
  kCustomersRead,
  kCustomersWrite,
  kCustomersExport,
  kCustomersErase,
  kPiiUnmask,
  kConsentWrite,
  kTagsRead,
  kTagsWrite,
  kSegmentsRead,
  kSegmentsWrite,
  kAnalyticsRead,
  kMessagesRead,
  kMessagesSend,
  kTemplatesWrite,
  kTemplatesApprove,
  kChannelsManage,
  kJourneysRead,
  kJourneysWrite,
  kTasksRead,
  kTasksWrite,
  kCount,
};

inline constexpr size_t kPermissionCount = static_cast<size_t>(Permission::kCount);

using PermissionSet = std::bitset<kPermissionCount>;

// "staff:read", "pii:unmask", … REQUIRES: permission != kCount.
std::string_view PermissionName(Permission permission);
// The inverse of PermissionName; nullopt for an unknown name.
std::optional<Permission> ParsePermission(std::string_view name);
// Names of the permissions in `set`, in enum order.
std::vector<std::string> PermissionNames(const PermissionSet& set);
// Every permission.
PermissionSet AllPermissions();
PermissionSet MakePermissionSet(std::initializer_list<Permission> permissions);
// True when every permission in `subset` is also in `superset`.
inline bool IsSubset(const PermissionSet& subset, const PermissionSet& superset) {
  return (subset & ~superset).none();
}

enum class Role { kAdmin, kAnalyst, kMarketer, kBranchManager, kRelationshipManager, kAuditor };

inline constexpr Role kAllRoles[] = {Role::kAdmin,
                                     Role::kAnalyst,
                                     Role::kMarketer,
                                     Role::kBranchManager,
                                     Role::kRelationshipManager,
                                     Role::kAuditor};

// "admin", "analyst", "marketer", "branch_manager", "relationship_manager", "auditor".
std::string_view RoleName(Role role);
std::optional<Role> ParseRole(std::string_view name);
// The fixed permission set of `role` (docs/security.md has the table and its reasons).
PermissionSet RolePermissions(Role role);

}  // namespace banyan::auth

#endif  // BANYAN_AUTH_PERMISSIONS_H_
