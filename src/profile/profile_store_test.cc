#include "profile/profile_store.h"

#include <gtest/gtest.h>

#include "profile/testing/profile_fixture.h"

namespace banyan::profile {
namespace {

using testing::ProfileFixture;

class ProfileStoreTest : public ProfileFixture {};

TEST_F(ProfileStoreTest, OlderSetAfterNewerDoesNothing) {
  MustApply(1, {Set("city", "杭州", 200)});
  ApplyReport report = MustApply(1, {Set("city", "上海", 100)});
  EXPECT_EQ(report.superseded, 1);
  EXPECT_EQ(report.documents_written, 0);
  EXPECT_EQ(ValueOf(MustRead({1}), "city"), "\"杭州\"");
}

TEST_F(ProfileStoreTest, UnsetTombstoneKeepsOlderSetsOut) {
  MustApply(1, {Set("occupation", "教师", 100)});
  MustApply(1, {Set("occupation", nullptr, 300, "sensors", UpdateOp::kUnset)});
  EXPECT_EQ(ValueOf(MustRead({1}), "occupation"), "<absent>");
  MustApply(1, {Set("occupation", "医生", 200)});
  EXPECT_EQ(ValueOf(MustRead({1}), "occupation"), "<absent>");
}

TEST_F(ProfileStoreTest, SetOnceIncrementAndAppend) {
  MustApply(1, {Set("customer_since", "2015-03-01", 100, "test", UpdateOp::kSetOnce),
                Set("customer_since", "2019-01-01", 200, "test", UpdateOp::kSetOnce),
                Set("aum", "100.10", 100, "test", UpdateOp::kIncrement),
                Set("aum", 0.2, 150, "test", UpdateOp::kIncrement),
                Set("products", Json::array({"fund"}), 100, "test", UpdateOp::kAppend),
                Set("products", "card", 110, "test", UpdateOp::kAppend)});
  const Profile profile = MustRead({1});
  EXPECT_EQ(ValueOf(profile, "customer_since"), "\"2015-03-01\"");
  EXPECT_EQ(ValueOf(profile, "aum"), "\"100.3\"");
  EXPECT_EQ(ValueOf(profile, "products"), "[\"card\",\"fund\"]");
}

TEST_F(ProfileStoreTest, UnknownAndInvalidAreSkippedAndCountedByName) {
  ApplyReport report = MustApply(
      1, {Set("plan", "premium", 100), Set("plan", "basic", 100), Set("risk_level", "R9", 100),
          Set("name", "李娜", 100), Set("age", 30, 100), Set("city", "杭州", 100, "")});
  EXPECT_EQ(report.applied, 1);
  EXPECT_EQ(report.unknown, (std::map<std::string, int64_t>{{"plan", 2}}));
  EXPECT_EQ(report.invalid,
            (std::map<std::string, int64_t>{{"age", 1}, {"city", 1}, {"risk_level", 1}}));
  EXPECT_EQ(ValueOf(MustRead({1}), "name"), "\"李娜\"");
}

TEST_F(ProfileStoreTest, ReapplyingTheSameUpdatesWritesNothing) {
  const std::vector<AttributeUpdate> updates = {Set("name", "李娜", 100), Set("city", "杭州", 100)};
  MustApply(1, updates);
  const int64_t rows = CountRows("SELECT COUNT(*) FROM profile");
  std::string sealed_before;
  ASSERT_TRUE(db_->Read([&](store::Transaction& tx) -> Status {
                   ASSIGN_OR_RETURN(sealed_before,
                                    tx.QueryOne<std::string>(
                                        "SELECT sealed FROM profile WHERE person_id = 1", {}, "p",
                                        [](const store::Row& r) { return r.Bytes(0); }));
                   return Status::Ok();
                 })
                  .ok());
  ApplyReport report = MustApply(1, updates);
  EXPECT_EQ(report.unchanged, 2);
  EXPECT_EQ(report.documents_written, 0);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM profile"), rows);
  std::string sealed_after;
  ASSERT_TRUE(db_->Read([&](store::Transaction& tx) -> Status {
                   ASSIGN_OR_RETURN(sealed_after,
                                    tx.QueryOne<std::string>(
                                        "SELECT sealed FROM profile WHERE person_id = 1", {}, "p",
                                        [](const store::Row& r) { return r.Bytes(0); }));
                   return Status::Ok();
                 })
                  .ok());
  EXPECT_EQ(sealed_after, sealed_before);
}

TEST_F(ProfileStoreTest, MergedReadTakesEachAttributesLatestAcrossMembers) {
  MustApply(1,
            {Set("name", "张伟", 100), Set("city", "杭州", 300), Set("occupation", "教师", 100)});
  MustApply(2, {Set("city", "上海", 200), Set("gender", "male", 100),
                Set("occupation", nullptr, 400, "api", UpdateOp::kUnset)});
  const Profile profile = MustRead({1, 2});
  EXPECT_EQ(ValueOf(profile, "name"), "\"张伟\"");
  EXPECT_EQ(ValueOf(profile, "city"), "\"杭州\"");
  EXPECT_EQ(profile.attributes.at("city").person, 1);
  EXPECT_EQ(ValueOf(profile, "gender"), "\"male\"");
  EXPECT_EQ(profile.attributes.at("gender").person, 2);
  EXPECT_EQ(ValueOf(profile, "occupation"), "<absent>");  // the newer tombstone wins
  EXPECT_EQ(ValueOf(MustRead({1}), "occupation"), "\"教师\"");
  EXPECT_TRUE(MustRead({3}).attributes.empty());
}

TEST_F(ProfileStoreTest, AgeIsDerivedAtTheBirthdayBoundaryInShanghai) {
  MustApply(1, {Set("birth_date", "1990-05-17", 100)});
  // 2026-05-16T15:59:59Z is 23:59:59 on 16 May in Shanghai: still 35.
  clock_.Set(*ParseRfc3339("2026-05-16T15:59:59Z"));
  Profile before = MustRead({1});
  ASSERT_TRUE(before.age.has_value());
  EXPECT_EQ(*before.age, 35);
  EXPECT_EQ(ValueOf(before, "age"), "35");
  EXPECT_EQ(before.attributes.at("age").source, "derived");
  // One second later it is 17 May in Shanghai (still 16 May in UTC): 36.
  clock_.Set(*ParseRfc3339("2026-05-16T16:00:00Z"));
  EXPECT_EQ(MustRead({1}).age, 36);
}

TEST(Age, LeapDayBirthdaysFallOnTheFirstOfMarch) {
  EXPECT_EQ(AgeOn(CivilDay(2000, 2, 29), CivilDay(2023, 2, 28)), 22);
  EXPECT_EQ(AgeOn(CivilDay(2000, 2, 29), CivilDay(2023, 3, 1)), 23);
  EXPECT_EQ(AgeOn(CivilDay(2000, 2, 29), CivilDay(2024, 2, 29)), 24);
  EXPECT_EQ(AgeOn(CivilDay(2030, 1, 1), CivilDay(2026, 1, 1)), std::nullopt);
}

TEST_F(ProfileStoreTest, ScopeColumnsFollowBranchCodeAndStaffUsername) {
  ApplyReport report = MustApply(
      1, {Set("home_branch", "HZ-XIXI", 100), Set("relationship_manager", "rm.xixi", 100)});
  EXPECT_EQ(report.applied, 2);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM profile WHERE home_branch_id = 2 AND rm_id = 5"), 1);
  Profile profile = MustRead({1});
  EXPECT_EQ(profile.home_branch_id, 2);
  EXPECT_EQ(profile.rm_id, 5);

  report = MustApply(
      1, {Set("home_branch", "NOWHERE", 200), Set("relationship_manager", "nobody", 200)});
  EXPECT_EQ(report.invalid,
            (std::map<std::string, int64_t>{{"home_branch", 1}, {"relationship_manager", 1}}));
  EXPECT_EQ(ValueOf(MustRead({1}), "home_branch"), "\"HZ-XIXI\"");

  MustApply(1, {Set("home_branch", nullptr, 300, "api", UpdateOp::kUnset)});
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM profile WHERE home_branch_id IS NULL AND rm_id = 5"),
            1);
  EXPECT_EQ(MustRead({1}).home_branch_id, std::nullopt);
}

TEST_F(ProfileStoreTest, DocumentsAreSealedUnderThePersonsKey) {
  MustApply(1, {Set("name", "欧阳娜娜", 100), Set("address", "杭州市西湖区文三路", 100)});
  int64_t rows = CountRows(
      "SELECT COUNT(*) FROM profile WHERE instr(sealed, CAST('欧阳娜娜' AS BLOB)) > 0 OR "
      "instr(sealed, CAST('文三路' AS BLOB)) > 0");
  EXPECT_EQ(rows, 0);
  // Moved to another person's row, the document fails to open.
  ASSERT_TRUE(Sql("INSERT INTO profile (person_id, sealed, updated_at) SELECT 2, sealed, 0 FROM "
                  "profile WHERE person_id = 1")
                  .ok());
  ASSERT_TRUE(
      db_->Write([&](store::Transaction& tx) { return keys_->Create(tx, 2).status(); }).ok());
  Status status = db_->Read([&](store::Transaction& tx) {
    const std::vector<PersonId> members = {2};
    return profiles_->Read(tx, members, clock_.Now(), calendar_).status();
  });
  EXPECT_EQ(status.code(), StatusCode::kDataLoss);
}

TEST_F(ProfileStoreTest, EraseRemovesTheDocuments) {
  MustApply(1, {Set("name", "李娜", 100)});
  MustApply(2, {Set("city", "杭州", 100)});
  ASSERT_TRUE(db_->Write([&](store::Transaction& tx) {
                   const std::vector<PersonId> members = {1, 2};
                   return profiles_->Erase(tx, members);
                 })
                  .ok());
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM profile"), 0);
  EXPECT_TRUE(MustRead({1, 2}).attributes.empty());
}

TEST_F(ProfileStoreTest, TooManyUpdatesOrMembersAreRefused) {
  std::vector<AttributeUpdate> many(kUpdatesPerApplyMax + 1, Set("city", "杭州", 1));
  Status status =
      db_->Write([&](store::Transaction& tx) { return profiles_->Apply(tx, 1, many, nullptr); });
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  std::vector<PersonId> members(kMembersMax + 1, 1);
  status = db_->Read([&](store::Transaction& tx) {
    return profiles_->Read(tx, members, clock_.Now(), calendar_).status();
  });
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace banyan::profile
