#include "auth/principal.h"

namespace banyan::auth {

std::string_view PrincipalKindName(PrincipalKind kind) {
  switch (kind) {
    case PrincipalKind::kSystem:
      return "system";
    case PrincipalKind::kStaff:
      return "staff";
    case PrincipalKind::kApiKey:
      return "api_key";
    case PrincipalKind::kWriteKey:
      return "write_key";
  }
  return "unknown";
}

std::string_view ScopeKindName(ScopeKind scope) {
  switch (scope) {
    case ScopeKind::kAll:
      return "all";
    case ScopeKind::kSubtree:
      return "subtree";
    case ScopeKind::kOwnCustomers:
      return "own_customers";
  }
  return "unknown";
}

ScopeKind ScopeForStaff(Role role, bool at_head_office) {
  if (role == Role::kRelationshipManager) return ScopeKind::kOwnCustomers;
  return at_head_office ? ScopeKind::kAll : ScopeKind::kSubtree;
}

bool Principal::CanSeeBranchPath(std::string_view path) const {
  if (scope == ScopeKind::kAll) return true;
  // An empty branch_path would match everything; it only arises from a bug, so it sees nothing.
  return !branch_path.empty() && path.starts_with(branch_path);
}

Principal Principal::System() {
  Principal p;
  p.kind = PrincipalKind::kSystem;
  p.id = 0;
  p.name = "system";
  p.permissions = AllPermissions();
  p.scope = ScopeKind::kAll;
  p.branch_path = "/";
  p.locale = "en";
  return p;
}

}  // namespace banyan::auth
