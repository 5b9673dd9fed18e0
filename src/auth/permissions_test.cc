#include "auth/permissions.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "auth/page.h"
#include "auth/principal.h"

namespace banyan::auth {
namespace {

TEST(Permissions, NamesRoundTrip) {
  for (size_t i = 0; i < kPermissionCount; ++i) {
    const auto permission = static_cast<Permission>(i);
    const std::string_view name = PermissionName(permission);
    EXPECT_EQ(ParsePermission(name), permission) << name;
  }
  EXPECT_EQ(PermissionName(Permission::kPiiUnmask), "pii:unmask");
  EXPECT_EQ(PermissionName(Permission::kStaffRead), "staff:read");
  EXPECT_EQ(ParsePermission("pii:UNMASK"), std::nullopt);
  EXPECT_EQ(ParsePermission(""), std::nullopt);
}

TEST(Permissions, NamesOfASetAreInEnumOrder) {
  const PermissionSet set = MakePermissionSet({Permission::kTasksWrite, Permission::kStaffRead});
  EXPECT_EQ(PermissionNames(set), (std::vector<std::string>{"staff:read", "tasks:write"}));
}

TEST(Roles, NamesRoundTrip) {
  for (Role role : kAllRoles) EXPECT_EQ(ParseRole(RoleName(role)), role);
  EXPECT_EQ(RoleName(Role::kRelationshipManager), "relationship_manager");
  EXPECT_EQ(ParseRole("root"), std::nullopt);
}

TEST(Roles, AdminHoldsEveryRoleSoItCanAssignThemAll) {
  for (Role role : kAllRoles) {
    EXPECT_TRUE(IsSubset(RolePermissions(role), RolePermissions(Role::kAdmin))) << RoleName(role);
  }
  EXPECT_TRUE(RolePermissions(Role::kAdmin).all());
}

// The role table in docs/security.md, as generated from RolePermissions().
std::string RoleTableMarkdown() {
  std::string out = "| permission |";
  for (Role role : kAllRoles) out += " " + std::string(RoleName(role)) + " |";
  out += "\n|---|";
  for (size_t i = 0; i < std::size(kAllRoles); ++i) out += ":-:|";
  out += "\n";
  for (size_t i = 0; i < kPermissionCount; ++i) {
    out += "| `" + std::string(PermissionName(static_cast<Permission>(i))) + "` |";
    for (Role role : kAllRoles) out += RolePermissions(role).test(i) ? " ✓ |" : "  |";
    out += "\n";
  }
  return out;
}

TEST(Roles, DocumentedTableMatchesCode) {
  std::ifstream file(std::string(BANYAN_SOURCE_DIR) + "/docs/security.md");
  ASSERT_TRUE(file.good());
  std::stringstream text;
  text << file.rdbuf();
  const std::string doc = text.str();
  const std::string begin = "<!-- role-table:begin -->\n";
  const size_t start = doc.find(begin);
  const size_t end = doc.find("<!-- role-table:end -->");
  ASSERT_NE(start, std::string::npos);
  ASSERT_NE(end, std::string::npos);
  EXPECT_EQ(doc.substr(start + begin.size(), end - start - begin.size()), RoleTableMarkdown())
      << "update the table in docs/security.md to:\n"
      << RoleTableMarkdown();
}

TEST(Roles, AuditorReadsButNeverUnmasksOrWrites) {
  const PermissionSet auditor = RolePermissions(Role::kAuditor);
  EXPECT_TRUE(auditor.test(static_cast<size_t>(Permission::kAuditRead)));
  EXPECT_FALSE(auditor.test(static_cast<size_t>(Permission::kPiiUnmask)));
  EXPECT_FALSE(auditor.test(static_cast<size_t>(Permission::kCustomersExport)));
  for (const std::string& name : PermissionNames(auditor)) {
    EXPECT_TRUE(name.ends_with(":read")) << name;
  }
}

TEST(Roles, BranchManagerCanCreateRelationshipManagersButNotMarketers) {
  const PermissionSet manager = RolePermissions(Role::kBranchManager);
  EXPECT_TRUE(IsSubset(RolePermissions(Role::kRelationshipManager), manager));
  EXPECT_FALSE(IsSubset(RolePermissions(Role::kMarketer), manager));
  EXPECT_TRUE(manager.test(static_cast<size_t>(Permission::kPiiUnmask)));
}

TEST(Roles, OnlyAdminExportsErasesOrManagesKeysAndChannels) {
  for (Role role : kAllRoles) {
    if (role == Role::kAdmin) continue;
    const PermissionSet set = RolePermissions(role);
    for (Permission p : {Permission::kCustomersExport, Permission::kCustomersErase,
                         Permission::kApiKeysManage, Permission::kChannelsManage}) {
      EXPECT_FALSE(set.test(static_cast<size_t>(p))) << RoleName(role) << " " << PermissionName(p);
    }
  }
}

TEST(Roles, MarketerCannotApproveTheirOwnTemplates) {
  const PermissionSet marketer = RolePermissions(Role::kMarketer);
  EXPECT_TRUE(marketer.test(static_cast<size_t>(Permission::kTemplatesWrite)));
  EXPECT_FALSE(marketer.test(static_cast<size_t>(Permission::kTemplatesApprove)));
}

TEST(Scope, RelationshipManagersSeeOwnCustomersEverywhere) {
  EXPECT_EQ(ScopeForStaff(Role::kRelationshipManager, true), ScopeKind::kOwnCustomers);
  EXPECT_EQ(ScopeForStaff(Role::kRelationshipManager, false), ScopeKind::kOwnCustomers);
  EXPECT_EQ(ScopeForStaff(Role::kBranchManager, false), ScopeKind::kSubtree);
  EXPECT_EQ(ScopeForStaff(Role::kAuditor, true), ScopeKind::kAll);
}

TEST(Principal, SubtreeIsAPrefixMatchOnWholeSegments) {
  Principal p;
  p.scope = ScopeKind::kSubtree;
  p.branch_path = "/1/4/";
  EXPECT_TRUE(p.CanSeeBranchPath("/1/4/"));
  EXPECT_TRUE(p.CanSeeBranchPath("/1/4/9/"));
  EXPECT_FALSE(p.CanSeeBranchPath("/1/"));
  EXPECT_FALSE(p.CanSeeBranchPath("/1/41/"));
  p.branch_path.clear();
  EXPECT_FALSE(p.CanSeeBranchPath("/1/"));
  EXPECT_TRUE(Principal::System().CanSeeBranchPath("/1/41/"));
  EXPECT_TRUE(Principal::System().Can(Permission::kPiiUnmask));
}

TEST(Page, CursorsRoundTripAndRejectGarbage) {
  const std::string cursor = EncodeCursor(12345);
  EXPECT_EQ(DecodeCursor(cursor).value(), std::optional<int64_t>(12345));
  EXPECT_EQ(DecodeCursor("").value(), std::nullopt);
  for (const char* bad : {"!!", "MTIzYQ", "LTE", "AAAA"}) {
    Result<std::optional<int64_t>> decoded = DecodeCursor(bad);
    ASSERT_FALSE(decoded.ok()) << bad;
    EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(decoded.status().field(), "/cursor");
  }
  EXPECT_EQ(CheckPageLimit(0).field(), "/limit");
  EXPECT_FALSE(CheckPageLimit(kPageLimitMax + 1).ok());
  EXPECT_TRUE(CheckPageLimit(kPageLimitMax).ok());
}

}  // namespace
}  // namespace banyan::auth
