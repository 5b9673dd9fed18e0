// ProfileFixture: PrivacyFixture (fresh database, key ring, manual clock, seeded randomness)
// plus the built-in attribute schema, a ProfileStore, a BalanceStore, the Asia/Shanghai
// calendar and a small organisation: head office HQ, branch HZ-XIXI with staff rm.xixi.
//
// Used by the profile module's tests. Thread safety: one test at a time, as gtest runs them.

#ifndef BANYAN_PROFILE_TESTING_PROFILE_FIXTURE_H_
#define BANYAN_PROFILE_TESTING_PROFILE_FIXTURE_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "privacy/testing/privacy_fixture.h"
#include "profile/balances.h"
#include "profile/profile_store.h"
#include "profile/schema.h"

namespace banyan::profile::testing {

class ProfileFixture : public privacy::testing::PrivacyFixture {
 protected:
  ProfileFixture() : calendar_(*BusinessCalendar::Create("Asia/Shanghai")) {}

  void SetUp() override {
    PrivacyFixture::SetUp();
    schema_ = std::make_unique<AttributeSchema>();
    profiles_ = std::make_unique<ProfileStore>(*schema_, *keys_, random_, clock_);
    balances_ = std::make_unique<BalanceStore>(*keys_, random_, clock_);
    MustSql(
        "INSERT INTO branch (id, parent_id, code, name, kind, latitude, longitude, path, "
        "created_at, updated_at) VALUES (1, NULL, 'HQ', 'Head office', 'head_office', 0, 0, "
        "'/1/', 0, 0), (2, 1, 'HZ-XIXI', '西溪支行', 'sub_branch', 30.27, 120.07, '/1/2/', 0, 0)");
    MustSql(
        "INSERT INTO staff (id, username, display_name, password_hash, role, branch_id, status, "
        "locale, created_at, updated_at) VALUES (5, 'rm.xixi', '王经理', 'x', "
        "'relationship_manager', 2, 'active', 'zh-CN', 0, 0)");
  }

  void TearDown() override {
    profiles_.reset();
    balances_.reset();
    PrivacyFixture::TearDown();
  }

  Status Sql(const std::string& sql) {
    return db_->Write([&](store::Transaction& tx) { return tx.Execute(sql); });
  }
  void MustSql(const std::string& sql) {
    Status status = Sql(sql);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }

  AttributeUpdate Set(std::string name, Json value, int64_t at_s, std::string source = "test",
                      UpdateOp op = UpdateOp::kSet) {
    return AttributeUpdate{std::move(name), op, std::move(value), FromUnixMicros(at_s * 1000000),
                           std::move(source)};
  }

  ApplyReport MustApply(PersonId person, const std::vector<AttributeUpdate>& updates) {
    ApplyReport report;
    Status status = db_->Write(
        [&](store::Transaction& tx) { return profiles_->Apply(tx, person, updates, &report); });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return report;
  }

  Profile MustRead(const std::vector<PersonId>& members) {
    Profile profile;
    Status status = db_->Read([&](store::Transaction& tx) -> Status {
      ASSIGN_OR_RETURN(profile, profiles_->Read(tx, members, clock_.Now(), calendar_));
      return Status::Ok();
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return profile;
  }

  // The JSON of attribute `name` in `profile`, or "<absent>".
  static std::string ValueOf(const Profile& profile, const std::string& name) {
    auto it = profile.attributes.find(name);
    return it == profile.attributes.end() ? "<absent>" : it->second.json;
  }

  BusinessCalendar calendar_;
  std::unique_ptr<AttributeSchema> schema_;
  std::unique_ptr<ProfileStore> profiles_;
  std::unique_ptr<BalanceStore> balances_;
};

}  // namespace banyan::profile::testing

#endif  // BANYAN_PROFILE_TESTING_PROFILE_FIXTURE_H_
