// AuthFixture: a gtest fixture with a fresh SQLite database in a temporary directory, a manual
// clock, seeded randomness and an AuthSystem at the minimum password-hash cost, plus a small
// organisation: head office HQ, branch A (sub-branch A1) and branch B, and an admin at HQ.
//
// Used by the auth module's tests only. Thread safety: one test at a time, as gtest runs them.

#ifndef BANYAN_AUTH_TESTING_AUTH_FIXTURE_H_
#define BANYAN_AUTH_TESTING_AUTH_FIXTURE_H_

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "auth/auth.h"
#include "auth/internal/staff_rows.h"
#include "base/testing/manual_clock.h"

namespace banyan::auth::testing {

// 2026-01-01T00:00:00Z.
inline constexpr int64_t kStartMicros = 1767225600LL * 1000000;
inline constexpr char kPassword[] = "correct horse battery";

class AuthFixture : public ::testing::Test {
 protected:
  AuthFixture() : clock_(FromUnixMicros(kStartMicros)), random_(42) {}

  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "banyan_auth_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    OpenSystem();
    hq_ = MustBranch(Principal::System(), std::nullopt, "HQ");
    branch_a_ = MustBranch(Principal::System(), hq_.id, "A");
    sub_a1_ = MustBranch(Principal::System(), branch_a_.id, "A1");
    branch_b_ = MustBranch(Principal::System(), hq_.id, "B");
    admin_ = MustStaff(Principal::System(), "admin", Role::kAdmin, hq_.id);
  }

  void TearDown() override {
    auth_.reset();
    if (db_) db_->Close();
    db_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  // Opens (again) the database and a fresh AuthSystem over it, as a restarted server would.
  void OpenSystem() {
    auth_.reset();
    if (db_) db_->Close();
    db_.reset();
    auto db =
        store::OpenSqlite({.path = (dir_ / "banyan.db").string()}, store::BuiltinMigrations());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    auth_ = std::make_unique<AuthSystem>(*db_, clock_, random_, config_, std::string(32, 'k'),
                                         PasswordHashCost::Minimum());
  }

  Branch MustBranch(const Principal& actor, std::optional<int64_t> parent, std::string code) {
    BranchInput input;
    input.parent_id = parent;
    input.code = code;
    input.name = "Branch " + code;
    input.latitude = 31.23;
    input.longitude = 121.47;
    Result<Branch> branch = auth_->branches().Create(actor, input, context_);
    EXPECT_TRUE(branch.ok()) << branch.status().ToString();
    return branch.ok() ? *branch : Branch{};
  }

  StaffInput MakeStaffInput(std::string username, Role role, int64_t branch_id) {
    StaffInput input;
    input.username = std::move(username);
    input.display_name = "Name of " + input.username;
    input.password = kPassword;
    input.role = role;
    input.branch_id = branch_id;
    return input;
  }

  Staff MustStaff(const Principal& actor, std::string username, Role role, int64_t branch_id) {
    Result<Staff> staff = auth_->staff().Create(
        actor, MakeStaffInput(std::move(username), role, branch_id), context_);
    EXPECT_TRUE(staff.ok()) << staff.status().ToString();
    return staff.ok() ? *staff : Staff{};
  }

  // The principal a session of staff `id` would carry (without session fields).
  Principal PrincipalOf(int64_t id) {
    Principal principal;
    Status status = db_->Read([&](store::Transaction& tx) -> Status {
      ASSIGN_OR_RETURN(internal::StaffRecord record, internal::LoadStaff(tx, id));
      principal = internal::StaffPrincipal(record);
      return Status::Ok();
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return principal;
  }

  Principal MustLogin(const std::string& username, const std::string& password = kPassword) {
    Result<LoginResult> login = auth_->sessions().Login(username, password, context_);
    EXPECT_TRUE(login.ok()) << login.status().ToString();
    return login.ok() ? login->principal : Principal{};
  }

  Status Sql(const std::string& sql) {
    return db_->Write([&](store::Transaction& tx) { return tx.Execute(sql); });
  }

  int64_t CountRows(const std::string& sql) {
    int64_t n = -1;
    Status status = db_->Read([&](store::Transaction& tx) -> Status {
      ASSIGN_OR_RETURN(
          n, tx.QueryOne<int64_t>(sql, {}, "count", [](const store::Row& r) { return r.Int(0); }));
      return Status::Ok();
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return n;
  }

  std::filesystem::path dir_;
  banyan::testing::ManualClock clock_;
  SeededRandom random_;
  Config::Auth config_;
  AuditContext context_{"req-1", "10.0.0.1"};
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<AuthSystem> auth_;
  Branch hq_, branch_a_, sub_a1_, branch_b_;
  Staff admin_;
};

}  // namespace banyan::auth::testing

#endif  // BANYAN_AUTH_TESTING_AUTH_FIXTURE_H_
