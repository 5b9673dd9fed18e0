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
  // Designated initialisers rather than assignments: GCC 12 at -O3 reports a false -Wrestrict
  // on assigning a literal over a defaulted std::string member (GCC bug 105651).
  return Principal{.kind = PrincipalKind::kSystem,
                   .id = 0,
                   .name = "system",
                   .permissions = AllPermissions(),
                   .scope = ScopeKind::kAll,
                   .locale = "en"};
}

}  // namespace banyan::auth
