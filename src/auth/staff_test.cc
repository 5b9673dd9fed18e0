#include "auth/staff.h"

#include <gtest/gtest.h>

#include "auth/testing/auth_fixture.h"

namespace banyan::auth {
namespace {

class StaffTest : public testing::AuthFixture {
 protected:
  void SetUp() override {
    AuthFixture::SetUp();
    manager_a_ = MustStaff(PrincipalOf(admin_.id), "manager.a", Role::kBranchManager, branch_a_.id);
  }
  StaffService& staff() { return auth_->staff(); }
  Staff manager_a_;
};

TEST_F(StaffTest, CreateReturnsTheRecordWithoutSecrets) {
  EXPECT_GT(admin_.id, 0);
  EXPECT_EQ(admin_.username, "admin");
  EXPECT_EQ(admin_.status, "active");
  EXPECT_EQ(admin_.locale, "zh-CN");
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM staff WHERE password_hash LIKE '$argon2id$%'"), 2);
  const Principal admin = PrincipalOf(admin_.id);
  EXPECT_EQ(admin.scope, ScopeKind::kAll);
  EXPECT_EQ(PrincipalOf(manager_a_.id).scope, ScopeKind::kSubtree);
}

TEST_F(StaffTest, ValidatesInput) {
  const Principal admin = PrincipalOf(admin_.id);
  StaffInput input = MakeStaffInput("Bad Name", Role::kAnalyst, hq_.id);
  EXPECT_EQ(staff().Create(admin, input, context_).status().field(), "/username");
  input = MakeStaffInput("ab", Role::kAnalyst, hq_.id);
  EXPECT_EQ(staff().Create(admin, input, context_).status().field(), "/username");
  input = MakeStaffInput("analyst", Role::kAnalyst, hq_.id);
  input.email = "not-an-email";
  EXPECT_EQ(staff().Create(admin, input, context_).status().field(), "/email");
  input.email = "analyst@bank.example";
  input.locale = "fr";
  EXPECT_EQ(staff().Create(admin, input, context_).status().field(), "/locale");
  input.locale = "en";
  input.branch_id = 9999;
  Result<Staff> missing_branch = staff().Create(admin, input, context_);
  EXPECT_EQ(missing_branch.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing_branch.status().field(), "/branch_id");
  input.branch_id = hq_.id;
  EXPECT_TRUE(staff().Create(admin, input, context_).ok());
  Result<Staff> duplicate = staff().Create(admin, input, context_);
  EXPECT_EQ(duplicate.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(duplicate.status().field(), "/username");
}

TEST_F(StaffTest, PasswordPolicy) {
  EXPECT_EQ(CheckPasswordPolicy("short", "someone", 12).field(), "/password");
  EXPECT_FALSE(CheckPasswordPolicy("Someone.Long.Name", "someone.long.name", 12).ok());
  EXPECT_FALSE(CheckPasswordPolicy("Password1234", "x", 12).ok());
  EXPECT_FALSE(CheckPasswordPolicy("1qaz2wsx3edc", "x", 12).ok());
  EXPECT_FALSE(CheckPasswordPolicy("aaaaaaaaaaaaaaa", "x", 12).ok());
  EXPECT_FALSE(CheckPasswordPolicy(std::string(kPasswordBytesMax + 1, 'x') + "y", "x", 12).ok());
  EXPECT_TRUE(CheckPasswordPolicy("correct horse battery", "x", 12).ok());
  // Length counts characters, not bytes: six Chinese characters are six, not eighteen.
  EXPECT_FALSE(CheckPasswordPolicy("我的密码很长", "x", 12).ok());
  EXPECT_TRUE(CheckPasswordPolicy("我的密码很长很长很长很长", "x", 12).ok());
  EXPECT_EQ(CheckPasswordPolicy("short", "x", 12, "/new_password").field(), "/new_password");

  StaffInput input = MakeStaffInput("weak", Role::kAnalyst, hq_.id);
  input.password = "password1234";
  EXPECT_EQ(staff().Create(PrincipalOf(admin_.id), input, context_).status().field(), "/password");
}

TEST(PasswordHashCost, ProductionDefaultIsArgon2idInteractive) {
  const PasswordHashCost cost = PasswordHashCost::Interactive();
  EXPECT_GE(cost.opslimit, 2u);
  EXPECT_GE(cost.memlimit, size_t{64} << 20);
  EXPECT_LT(PasswordHashCost::Minimum().memlimit, cost.memlimit);
}

TEST_F(StaffTest, HashesVerifyAndDetectCostChanges) {
  Result<std::string> hash = HashPassword("correct horse battery", PasswordHashCost::Minimum());
  ASSERT_TRUE(hash.ok());
  EXPECT_TRUE(VerifyPassword(*hash, "correct horse battery"));
  EXPECT_FALSE(VerifyPassword(*hash, "correct horse batterz"));
  EXPECT_FALSE(VerifyPassword("garbage", "correct horse battery"));
  EXPECT_FALSE(PasswordNeedsRehash(*hash, PasswordHashCost::Minimum()));
  EXPECT_TRUE(PasswordNeedsRehash(*hash, PasswordHashCost::Interactive()));
}

TEST_F(StaffTest, NoEscalation) {
  const Principal manager = PrincipalOf(manager_a_.id);
  // A branch manager may create relationship managers in its subtree…
  Result<Staff> rm = staff().Create(
      manager, MakeStaffInput("rm.a1", Role::kRelationshipManager, sub_a1_.id), context_);
  ASSERT_TRUE(rm.ok()) << rm.status().ToString();
  // …but not admins or marketers (more permissions than its own)…
  EXPECT_EQ(staff()
                .Create(manager, MakeStaffInput("evil", Role::kAdmin, sub_a1_.id), context_)
                .status()
                .code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(
      staff()
          .Create(manager, MakeStaffInput("marketer.x", Role::kMarketer, sub_a1_.id), context_)
          .status()
          .code(),
      StatusCode::kPermissionDenied);
  // …nor anyone outside its subtree (not revealed).
  EXPECT_EQ(staff()
                .Create(manager, MakeStaffInput("rm.b", Role::kRelationshipManager, branch_b_.id),
                        context_)
                .status()
                .code(),
            StatusCode::kNotFound);
  // Nor promote someone to admin, nor touch an admin.
  EXPECT_EQ(
      staff().Update(manager, rm->id, StaffPatch{.role = Role::kAdmin}, context_).status().code(),
      StatusCode::kPermissionDenied);
  const Staff admin_a = MustStaff(PrincipalOf(admin_.id), "admin.a", Role::kAdmin, branch_a_.id);
  EXPECT_EQ(staff()
                .Update(manager, admin_a.id, StaffPatch{.status = "disabled"}, context_)
                .status()
                .code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(staff().SetPassword(manager, admin_a.id, "another long password", context_).code(),
            StatusCode::kPermissionDenied);
  // Refusals are audited.
  AuditFilter filter;
  filter.outcome = "denied";
  Result<Page<AuditEntry>> denied = auth_->audit().Query(filter, "", 50);
  ASSERT_TRUE(denied.ok());
  EXPECT_EQ(denied->items.size(), 5u);
}

TEST_F(StaffTest, RelationshipManagersCannotManageStaff) {
  const Staff rm =
      MustStaff(PrincipalOf(admin_.id), "rm.one", Role::kRelationshipManager, sub_a1_.id);
  const Principal p = PrincipalOf(rm.id);
  EXPECT_EQ(p.scope, ScopeKind::kOwnCustomers);
  EXPECT_EQ(staff().List(p, {}, "", 10).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(staff().Get(p, manager_a_.id).status().code(), StatusCode::kPermissionDenied);
  // Everyone may read themselves and change their own name and language…
  EXPECT_TRUE(staff().Get(p, rm.id).ok());
  Result<Staff> renamed =
      staff().Update(p, rm.id, StaffPatch{.display_name = "王经理", .locale = "en"}, context_);
  ASSERT_TRUE(renamed.ok()) << renamed.status().ToString();
  EXPECT_EQ(renamed->locale, "en");
  // …but not their own role.
  EXPECT_EQ(
      staff().Update(p, rm.id, StaffPatch{.role = Role::kBranchManager}, context_).status().code(),
      StatusCode::kPermissionDenied);
}

TEST_F(StaffTest, ListIsScopedFilteredAndPaged) {
  const Principal admin = PrincipalOf(admin_.id);
  MustStaff(admin, "rm.a1.one", Role::kRelationshipManager, sub_a1_.id);
  MustStaff(admin, "rm.a1.two", Role::kRelationshipManager, sub_a1_.id);
  MustStaff(admin, "rm.b.one", Role::kRelationshipManager, branch_b_.id);
  const Principal manager = PrincipalOf(manager_a_.id);
  Result<Page<Staff>> scoped = staff().List(manager, {}, "", 50);
  ASSERT_TRUE(scoped.ok());
  ASSERT_EQ(scoped->items.size(), 3u);  // manager.a and the two in A1
  EXPECT_EQ(scoped->items[0].username, "manager.a");

  std::vector<std::string> names;
  std::string cursor;
  do {
    Result<Page<Staff>> page = staff().List(admin, {.role = Role::kRelationshipManager}, cursor, 2);
    ASSERT_TRUE(page.ok());
    for (const Staff& s : page->items) names.push_back(s.username);
    cursor = page->next_cursor;
  } while (!cursor.empty());
  EXPECT_EQ(names, (std::vector<std::string>{"rm.a1.one", "rm.a1.two", "rm.b.one"}));

  Result<Page<Staff>> found = staff().List(admin, {.query = "B.ONE"}, "", 50);
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->items.size(), 1u);
  EXPECT_EQ(found->items[0].username, "rm.b.one");
  EXPECT_EQ(staff().List(admin, {.query = "%"}, "", 50)->items.size(), 0u);
  EXPECT_EQ(staff().List(admin, {.branch_id = sub_a1_.id}, "", 50)->items.size(), 2u);
  EXPECT_EQ(staff().List(admin, {.status = "gone"}, "", 50).status().field(), "/status");
}

TEST_F(StaffTest, LastActiveAdminIsProtected) {
  const Principal system = Principal::System();
  EXPECT_EQ(
      staff().Update(system, admin_.id, StaffPatch{.status = "disabled"}, context_).status().code(),
      StatusCode::kFailedPrecondition);
  EXPECT_EQ(staff()
                .Update(system, admin_.id, StaffPatch{.role = Role::kAuditor}, context_)
                .status()
                .code(),
            StatusCode::kFailedPrecondition);
  const Staff second = MustStaff(system, "admin2", Role::kAdmin, hq_.id);
  // Admins cannot change their own status, even when another admin exists.
  EXPECT_EQ(
      staff()
          .Update(PrincipalOf(admin_.id), admin_.id, StaffPatch{.status = "disabled"}, context_)
          .status()
          .code(),
      StatusCode::kPermissionDenied);
  ASSERT_TRUE(
      staff()
          .Update(PrincipalOf(second.id), admin_.id, StaffPatch{.status = "disabled"}, context_)
          .ok());
  EXPECT_EQ(staff()
                .Update(system, second.id, StaffPatch{.role = Role::kAnalyst}, context_)
                .status()
                .code(),
            StatusCode::kFailedPrecondition);
}

TEST_F(StaffTest, DisablingRevokesSessions) {
  const Staff rm =
      MustStaff(PrincipalOf(admin_.id), "rm.one", Role::kRelationshipManager, sub_a1_.id);
  Result<LoginResult> login = auth_->sessions().Login("rm.one", testing::kPassword, context_);
  ASSERT_TRUE(login.ok()) << login.status().ToString();
  ASSERT_TRUE(auth_->sessions().Authenticate(login->token).ok());
  ASSERT_TRUE(
      staff()
          .Update(PrincipalOf(manager_a_.id), rm.id, StaffPatch{.status = "disabled"}, context_)
          .ok());
  EXPECT_EQ(auth_->sessions().Authenticate(login->token).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM session"), 0);
  // A disabled account cannot log in, with the same answer as a wrong password.
  Result<LoginResult> again = auth_->sessions().Login("rm.one", testing::kPassword, context_);
  EXPECT_EQ(again.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(again.status().message(), "invalid username or password");
}

TEST_F(StaffTest, RoleChangeTakesEffectOnTheNextRequest) {
  const Staff rm =
      MustStaff(PrincipalOf(admin_.id), "rm.one", Role::kRelationshipManager, sub_a1_.id);
  Result<LoginResult> login = auth_->sessions().Login("rm.one", testing::kPassword, context_);
  ASSERT_TRUE(login.ok());
  ASSERT_TRUE(
      staff()
          .Update(PrincipalOf(admin_.id), rm.id, StaffPatch{.role = Role::kAnalyst}, context_)
          .ok());
  EXPECT_FALSE(auth_->sessions().Authenticate(login->token).ok());
}

TEST_F(StaffTest, NameChangeRefreshesCachedSessions) {
  Result<LoginResult> login = auth_->sessions().Login("manager.a", testing::kPassword, context_);
  ASSERT_TRUE(login.ok());
  ASSERT_TRUE(
      staff()
          .Update(PrincipalOf(admin_.id), manager_a_.id, StaffPatch{.locale = "en"}, context_)
          .ok());
  Result<Principal> p = auth_->sessions().Authenticate(login->token);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->locale, "en");
}

TEST_F(StaffTest, SetPasswordUnlocksAndRevokes) {
  Result<LoginResult> login = auth_->sessions().Login("manager.a", testing::kPassword, context_);
  ASSERT_TRUE(login.ok());
  const Principal admin = PrincipalOf(admin_.id);
  EXPECT_EQ(staff().SetPassword(admin, manager_a_.id, "manager.a", context_).field(), "/password");
  ASSERT_TRUE(staff().SetPassword(admin, manager_a_.id, "a brand new password", context_).ok());
  EXPECT_FALSE(auth_->sessions().Authenticate(login->token).ok());
  EXPECT_FALSE(auth_->sessions().Login("manager.a", testing::kPassword, context_).ok());
  EXPECT_TRUE(auth_->sessions().Login("manager.a", "a brand new password", context_).ok());
  EXPECT_EQ(staff().SetPassword(admin, admin_.id, "a brand new password", context_).code(),
            StatusCode::kPermissionDenied);
}

TEST_F(StaffTest, ChangeOwnPasswordChecksTheCurrentOneAndKeepsThisSession) {
  Result<LoginResult> first = auth_->sessions().Login("manager.a", testing::kPassword, context_);
  Result<LoginResult> second = auth_->sessions().Login("manager.a", testing::kPassword, context_);
  ASSERT_TRUE(first.ok() && second.ok());
  Status wrong =
      staff().ChangeOwnPassword(first->principal, "not it at all", "new password 123", context_);
  EXPECT_EQ(wrong.field(), "/current_password");
  EXPECT_EQ(
      staff().ChangeOwnPassword(first->principal, testing::kPassword, "short", context_).field(),
      "/new_password");
  ASSERT_TRUE(
      staff()
          .ChangeOwnPassword(first->principal, testing::kPassword, "new password 123", context_)
          .ok());
  EXPECT_TRUE(auth_->sessions().Authenticate(first->token).ok());
  EXPECT_FALSE(auth_->sessions().Authenticate(second->token).ok());
  EXPECT_TRUE(auth_->sessions().Login("manager.a", "new password 123", context_).ok());
  EXPECT_EQ(staff().ChangeOwnPassword(Principal::System(), "a", "b", context_).code(),
            StatusCode::kFailedPrecondition);
}

TEST_F(StaffTest, WrongCurrentPasswordCountsTowardsLockOut) {
  Result<LoginResult> login = auth_->sessions().Login("manager.a", testing::kPassword, context_);
  ASSERT_TRUE(login.ok());
  Status last;
  for (int64_t i = 0; i < config_.login_failures_max; ++i) {
    last = staff().ChangeOwnPassword(login->principal, "wrong guess", "new password 123", context_);
  }
  EXPECT_EQ(last.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(
      staff()
          .ChangeOwnPassword(login->principal, testing::kPassword, "new password 123", context_)
          .code(),
      StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace banyan::auth
