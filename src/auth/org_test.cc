#include "auth/org.h"

#include <gtest/gtest.h>

#include "auth/testing/auth_fixture.h"

namespace banyan::auth {
namespace {

class OrgTest : public testing::AuthFixture {
 protected:
  BranchService& branches() { return auth_->branches(); }
};

TEST_F(OrgTest, TreePathsAndKinds) {
  EXPECT_EQ(hq_.kind, "head_office");
  EXPECT_EQ(hq_.path, "/" + std::to_string(hq_.id) + "/");
  EXPECT_EQ(branch_a_.kind, "branch");
  EXPECT_EQ(sub_a1_.kind, "sub_branch");
  EXPECT_EQ(sub_a1_.path, branch_a_.path + std::to_string(sub_a1_.id) + "/");
  EXPECT_EQ(sub_a1_.parent_id, branch_a_.id);
}

TEST_F(OrgTest, OnlyOneHeadOffice) {
  BranchInput input{.code = "HQ2", .name = "Second", .latitude = 1.0, .longitude = 1.0};
  Result<Branch> second = branches().Create(Principal::System(), input, context_);
  EXPECT_EQ(second.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(second.status().field(), "/parent_id");
}

TEST_F(OrgTest, KindsNestAndSubBranchesAreLeaves) {
  BranchInput input{
      .parent_id = sub_a1_.id, .code = "X", .name = "X", .latitude = 1.0, .longitude = 1.0};
  EXPECT_EQ(branches().Create(Principal::System(), input, context_).status().field(), "/parent_id");
  input.parent_id = hq_.id;
  input.kind = "head_office";
  EXPECT_EQ(branches().Create(Principal::System(), input, context_).status().field(), "/kind");
  // A second-tier branch below a branch, and a sub-branch directly below the head office.
  input.parent_id = branch_a_.id;
  input.kind = "branch";
  Result<Branch> tier2 = branches().Create(Principal::System(), input, context_);
  ASSERT_TRUE(tier2.ok()) << tier2.status().ToString();
  EXPECT_EQ(tier2->kind, "branch");
  input.parent_id = hq_.id;
  input.code = "Y";
  input.kind = "sub_branch";
  EXPECT_TRUE(branches().Create(Principal::System(), input, context_).ok());
}

TEST_F(OrgTest, DepthIsLimited) {
  int64_t parent = branch_a_.id;
  for (int64_t depth = 3; depth <= kBranchDepthMax; ++depth) {
    BranchInput level{.parent_id = parent,
                      .code = "D" + std::to_string(depth),
                      .name = "D",
                      .kind = "branch",
                      .latitude = 1.0,
                      .longitude = 1.0};
    Result<Branch> created = branches().Create(Principal::System(), level, context_);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    parent = created->id;
  }
  BranchInput input{
      .parent_id = parent, .code = "TooDeep", .name = "X", .latitude = 1.0, .longitude = 1.0};
  EXPECT_EQ(branches().Create(Principal::System(), input, context_).status().field(), "/parent_id");
}

TEST_F(OrgTest, ValidatesInputWithFieldPointers) {
  BranchInput input{
      .parent_id = hq_.id, .code = "C", .name = "C", .latitude = 91.0, .longitude = 1.0};
  EXPECT_EQ(branches().Create(Principal::System(), input, context_).status().field(), "/latitude");
  input.latitude = 1.0;
  input.longitude = -180.5;
  EXPECT_EQ(branches().Create(Principal::System(), input, context_).status().field(), "/longitude");
  input.longitude = 1.0;
  input.code = "has space";
  EXPECT_EQ(branches().Create(Principal::System(), input, context_).status().field(), "/code");
  input.code = "A";  // taken
  Result<Branch> duplicate = branches().Create(Principal::System(), input, context_);
  EXPECT_EQ(duplicate.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(duplicate.status().field(), "/code");
  input.code = "C";
  input.name = "";
  EXPECT_EQ(branches().Create(Principal::System(), input, context_).status().field(), "/name");
  input.name.reset();
  EXPECT_EQ(branches().Create(Principal::System(), input, context_).status().field(), "/name");
}

TEST_F(OrgTest, MovingABranchRewritesDescendantPaths) {
  // HQ → A → A1 and HQ → B. Move A (with A1) below B.
  BranchInput move{.parent_id = branch_b_.id};
  Result<Branch> a = branches().Update(Principal::System(), branch_a_.id, move, context_);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->path, branch_b_.path + std::to_string(branch_a_.id) + "/");
  EXPECT_EQ(a->parent_id, branch_b_.id);
  Result<Branch> a1 = branches().Get(Principal::System(), sub_a1_.id);
  ASSERT_TRUE(a1.ok());
  EXPECT_EQ(a1->path, a->path + std::to_string(sub_a1_.id) + "/");
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM branch WHERE path LIKE '" + branch_b_.path + "%'"), 3);

  // Staff of A1 now fall within the scope of B's manager.
  const Staff rm = MustStaff(Principal::System(), "rm.a1", Role::kRelationshipManager, sub_a1_.id);
  const Staff manager_b =
      MustStaff(Principal::System(), "manager.b", Role::kBranchManager, branch_b_.id);
  EXPECT_TRUE(auth_->staff().Get(PrincipalOf(manager_b.id), rm.id).ok());
}

TEST_F(OrgTest, RefusesCyclesLeavesAsParentsAndKindConflicts) {
  BranchInput below_leaf{.parent_id = sub_a1_.id};
  EXPECT_EQ(
      branches().Update(Principal::System(), branch_b_.id, below_leaf, context_).status().field(),
      "/parent_id");
  BranchInput b_below_a{.parent_id = branch_a_.id};
  ASSERT_TRUE(branches().Update(Principal::System(), branch_b_.id, b_below_a, context_).ok());
  BranchInput cycle{.parent_id = branch_b_.id};
  EXPECT_EQ(branches().Update(Principal::System(), branch_a_.id, cycle, context_).status().field(),
            "/parent_id");
  BranchInput demote{.kind = "sub_branch"};
  EXPECT_EQ(branches().Update(Principal::System(), branch_a_.id, demote, context_).status().field(),
            "/kind");
  EXPECT_TRUE(branches().Update(Principal::System(), branch_b_.id, demote, context_).ok());
  BranchInput move_hq{.parent_id = branch_a_.id};
  EXPECT_EQ(branches().Update(Principal::System(), hq_.id, move_hq, context_).status().field(),
            "/parent_id");
}

TEST_F(OrgTest, ScopeHidesBranchesOutsideTheSubtree) {
  const Staff manager =
      MustStaff(PrincipalOf(admin_.id), "manager.a", Role::kBranchManager, branch_a_.id);
  const Principal p = PrincipalOf(manager.id);
  EXPECT_EQ(p.scope, ScopeKind::kSubtree);
  EXPECT_TRUE(branches().Get(p, sub_a1_.id).ok());
  EXPECT_EQ(branches().Get(p, branch_b_.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(branches().Get(p, hq_.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(branches().Get(p, 9999).status().code(), StatusCode::kNotFound);
  Result<Page<Branch>> listed = branches().List(p, std::nullopt, "", 50);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->items.size(), 2u);
  EXPECT_EQ(listed->items[0].id, branch_a_.id);
  EXPECT_EQ(listed->items[1].id, sub_a1_.id);
  // Branch managers lack branches:write.
  BranchInput rename{.name = "Renamed"};
  EXPECT_EQ(branches().Update(p, sub_a1_.id, rename, context_).status().code(),
            StatusCode::kPermissionDenied);
}

TEST_F(OrgTest, WritesOutsideScopeAreNotFound) {
  // A subtree principal with branches:write (a key could be such a principal).
  Principal p = PrincipalOf(admin_.id);
  p.scope = ScopeKind::kSubtree;
  p.branch_id = branch_a_.id;
  p.branch_path = branch_a_.path;
  BranchInput rename{.name = "Renamed"};
  EXPECT_TRUE(branches().Update(p, branch_a_.id, rename, context_).ok());
  EXPECT_EQ(branches().Update(p, branch_b_.id, rename, context_).status().code(),
            StatusCode::kNotFound);
  BranchInput move{.parent_id = branch_b_.id};
  Result<Branch> moved = branches().Update(p, sub_a1_.id, move, context_);
  EXPECT_EQ(moved.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(moved.status().field(), "/parent_id");
  BranchInput child{
      .parent_id = branch_b_.id, .code = "Z", .name = "Z", .latitude = 0.0, .longitude = 0.0};
  EXPECT_EQ(branches().Create(p, child, context_).status().code(), StatusCode::kNotFound);
}

TEST_F(OrgTest, ListPagesAndFiltersByParent) {
  Result<Page<Branch>> first = branches().List(Principal::System(), std::nullopt, "", 3);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->items.size(), 3u);
  ASSERT_FALSE(first->next_cursor.empty());
  Result<Page<Branch>> second =
      branches().List(Principal::System(), std::nullopt, first->next_cursor, 3);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->items.size(), 1u);
  EXPECT_EQ(second->items[0].id, branch_b_.id);
  EXPECT_TRUE(second->next_cursor.empty());
  Result<Page<Branch>> children = branches().List(Principal::System(), hq_.id, "", 50);
  ASSERT_TRUE(children.ok());
  EXPECT_EQ(children->items.size(), 2u);
  EXPECT_EQ(branches().List(Principal::System(), std::nullopt, "xx!", 3).status().field(),
            "/cursor");
}

TEST_F(OrgTest, UpdatesAreAudited) {
  BranchInput patch{.address = "1 Bund Road"};
  ASSERT_TRUE(branches().Update(Principal::System(), branch_b_.id, patch, context_).ok());
  AuditFilter filter;
  filter.action = "branch.update";
  Result<Page<AuditEntry>> entries = auth_->audit().Query(filter, "", 10);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->items.size(), 1u);
  EXPECT_EQ(entries->items[0].record.details["address"]["to"], "1 Bund Road");
}

}  // namespace
}  // namespace banyan::auth
