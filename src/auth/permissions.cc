#include "auth/permissions.h"

#include <array>

#include "base/check.h"

namespace banyan::auth {
namespace {

using enum Permission;

constexpr std::array<std::string_view, kPermissionCount> kPermissionNames = {
    "staff:read",      "staff:write",    "branches:read",   "branches:write",
    "api_keys:manage", "audit:read",     "metrics:read",    "events:write",
    "events:read",     "customers:read", "customers:write", "customers:export",
    "customers:erase", "pii:unmask",     "consent:write",   "tags:read",
    "tags:write",      "segments:read",  "segments:write",  "analytics:read",
    "messages:read",   "messages:send",  "templates:write", "templates:approve",
    "channels:manage", "journeys:read",  "journeys:write",  "tasks:read",
    "tasks:write",
};

constexpr std::array<std::string_view, 6> kRoleNames = {
    "admin", "analyst", "marketer", "branch_manager", "relationship_manager", "auditor",
};

// Read-only access to everything an auditor reviews; no personal data in clear, no export.
PermissionSet AuditorPermissions() {
  return MakePermissionSet({kAuditRead, kStaffRead, kBranchesRead, kMetricsRead, kEventsRead,
                            kCustomersRead, kTagsRead, kSegmentsRead, kAnalyticsRead, kMessagesRead,
                            kJourneysRead, kTasksRead});
}

PermissionSet AnalystPermissions() {
  return MakePermissionSet({kBranchesRead, kAnalyticsRead, kEventsRead, kCustomersRead, kTagsRead,
                            kTagsWrite, kSegmentsRead, kSegmentsWrite});
}

// Campaigns end to end except approving their own content (four eyes) and managing channels.
PermissionSet MarketerPermissions() {
  return MakePermissionSet({kBranchesRead, kAnalyticsRead, kCustomersRead, kTagsRead, kTagsWrite,
                            kSegmentsRead, kSegmentsWrite, kTemplatesWrite, kMessagesRead,
                            kMessagesSend, kJourneysRead, kJourneysWrite});
}

// Runs a branch: its people, its customers (with unmasking, audited) and its daily work.
PermissionSet BranchManagerPermissions() {
  return MakePermissionSet({kStaffRead, kStaffWrite, kBranchesRead, kAnalyticsRead, kCustomersRead,
                            kCustomersWrite, kPiiUnmask, kConsentWrite, kTagsRead, kSegmentsRead,
                            kMessagesRead, kMessagesSend, kTemplatesApprove, kJourneysRead,
                            kTasksRead, kTasksWrite});
}

// Serves a book of customers (scope: own customers): reads them, records consent, contacts
// them through the message API (which resolves contact details without unmasking them).
PermissionSet RelationshipManagerPermissions() {
  return MakePermissionSet({kBranchesRead, kCustomersRead, kConsentWrite, kTagsRead, kMessagesRead,
                            kMessagesSend, kTasksRead, kTasksWrite});
}

}  // namespace

std::string_view PermissionName(Permission permission) {
  const auto index = static_cast<size_t>(permission);
  CHECK(index < kPermissionCount, "permission {} out of range", index);
  return kPermissionNames[index];
}

std::optional<Permission> ParsePermission(std::string_view name) {
  for (size_t i = 0; i < kPermissionCount; ++i) {
    if (kPermissionNames[i] == name) return static_cast<Permission>(i);
  }
  return std::nullopt;
}

std::vector<std::string> PermissionNames(const PermissionSet& set) {
  std::vector<std::string> names;
  for (size_t i = 0; i < kPermissionCount; ++i) {
    if (set.test(i)) names.emplace_back(kPermissionNames[i]);
  }
  return names;
}

PermissionSet AllPermissions() { return PermissionSet().set(); }

PermissionSet MakePermissionSet(std::initializer_list<Permission> permissions) {
  PermissionSet set;
  for (Permission p : permissions) set.set(static_cast<size_t>(p));
  return set;
}

std::string_view RoleName(Role role) {
  const auto index = static_cast<size_t>(role);
  CHECK(index < kRoleNames.size(), "role {} out of range", index);
  return kRoleNames[index];
}

std::optional<Role> ParseRole(std::string_view name) {
  for (size_t i = 0; i < kRoleNames.size(); ++i) {
    if (kRoleNames[i] == name) return static_cast<Role>(i);
  }
  return std::nullopt;
}

PermissionSet RolePermissions(Role role) {
  switch (role) {
    // Admin holds every permission, pii:unmask included: under the no-escalation rule only a
    // holder of a permission can grant it, so the role that creates branch managers must hold
    // theirs. Every unmasking is audited.
    case Role::kAdmin:
      return AllPermissions();
    case Role::kAnalyst:
      return AnalystPermissions();
    case Role::kMarketer:
      return MarketerPermissions();
    case Role::kBranchManager:
      return BranchManagerPermissions();
    case Role::kRelationshipManager:
      return RelationshipManagerPermissions();
    case Role::kAuditor:
      return AuditorPermissions();
  }
  CHECK(false, "unknown role {}", static_cast<int>(role));
  return {};
}

}  // namespace banyan::auth
