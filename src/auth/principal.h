// Principal: who is making a request — a staff member with a session, an API key, a write key,
// or the system itself — with what they may do (permissions) and where (scope).
//
// Scopes follow the bank's organisation tree. Branch paths are materialised as "/1/4/9/", so a
// subtree is a prefix match:
//   kAll          HQ staff (their branch is the head office), keys without a branch, the system.
//   kSubtree      staff of a branch or sub-branch: that branch and everything below it.
//   kOwnCustomers relationship managers: customer data only for customers they own (the
//                 customer modules filter by Principal::id); for branch-level objects they see
//                 their own branch's subtree, like kSubtree.
//
// Used by: the api (built per request by SessionService / ApiKeyService), every service that
// authorises or filters. Thread safety: a value type.

#ifndef BANYAN_AUTH_PRINCIPAL_H_
#define BANYAN_AUTH_PRINCIPAL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/permissions.h"

namespace banyan::auth {

enum class PrincipalKind { kSystem, kStaff, kApiKey, kWriteKey };
enum class ScopeKind { kAll, kSubtree, kOwnCustomers };

// "system", "staff", "api_key", "write_key" (as recorded in the audit log).
std::string_view PrincipalKindName(PrincipalKind kind);
// "all", "subtree", "own_customers".
std::string_view ScopeKindName(ScopeKind scope);

// The scope staff of `role` get at a branch; `at_head_office` when that branch is the head office.
ScopeKind ScopeForStaff(Role role, bool at_head_office);

struct Principal {
  PrincipalKind kind = PrincipalKind::kSystem;
  int64_t id = 0;  // staff id or key id; 0 for the system
  std::string name{};
  std::optional<Role> role{};  // staff only
  PermissionSet permissions;
  int64_t branch_id = 0;          // 0 when not tied to a branch (system, bank-wide keys)
  std::string branch_path = "/";  // "/" reaches every branch
  ScopeKind scope = ScopeKind::kAll;
  // Sessions only. session_id is the SHA-256 (hex) of the session token: it identifies the
  // session for logout but, like the token, must never be logged or sent to the client.
  std::string session_id{};
  // Sessions only: the value the client must echo in the X-CSRF-Token header on state-changing
  // requests. It is derived from the session token, so it needs no storage.
  std::string csrf_token{};
  std::string locale = "zh-CN";

  bool Can(Permission permission) const {
    return permissions.test(static_cast<size_t>(permission));
  }
  // True when the branch at `path` (e.g. "/1/4/") is within this principal's scope.
  bool CanSeeBranchPath(std::string_view path) const;

  // The server itself: every permission, scope kAll. For start-up tasks and the admin CLI
  // (`banyan admin create-user`), never for a request.
  static Principal System();
};

}  // namespace banyan::auth

#endif  // BANYAN_AUTH_PRINCIPAL_H_
