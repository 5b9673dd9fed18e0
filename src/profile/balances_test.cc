#include "profile/balances.h"

#include <gtest/gtest.h>

#include "profile/testing/profile_fixture.h"

namespace banyan::profile {
namespace {

class BalancesTest : public testing::ProfileFixture {
 protected:
  void MustPut(PersonId person, CivilDay day, Balances balances) {
    Status status = db_->Write(
        [&](store::Transaction& tx) { return balances_->Put(tx, person, day, balances); });
    ASSERT_TRUE(status.ok()) << status.ToString();
  }
  std::vector<DailyBalances> MustRange(std::vector<PersonId> members, CivilDay from, CivilDay to) {
    std::vector<DailyBalances> out;
    Status status = db_->Read([&](store::Transaction& tx) -> Status {
      ASSIGN_OR_RETURN(out, balances_->Range(tx, members, from, to));
      return Status::Ok();
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return out;
  }
};

TEST_F(BalancesTest, RangeSumsMembersExactlyPerDate) {
  MustPut(1, CivilDay(2026, 1, 1), {.aum = "0.10", .deposit = "100"});
  MustPut(2, CivilDay(2026, 1, 1), {.aum = "0.20", .loan = "5000.5"});
  MustPut(1, CivilDay(2026, 1, 2), {.aum = "523410.25"});
  MustPut(3, CivilDay(2026, 1, 2), {.aum = "999"});  // not a member
  MustPut(1, CivilDay(2026, 1, 9), {.aum = "1"});    // outside the range

  const auto days = MustRange({1, 2}, CivilDay(2026, 1, 1), CivilDay(2026, 1, 5));
  ASSERT_EQ(days.size(), 2u);
  EXPECT_EQ(days[0].date, CivilDay(2026, 1, 1));
  EXPECT_EQ(days[0].balances, (Balances{.aum = "0.3", .deposit = "100", .loan = "5000.5"}));
  EXPECT_EQ(days[1].date, CivilDay(2026, 1, 2));
  EXPECT_EQ(days[1].balances, (Balances{.aum = "523410.25"}));
}

TEST_F(BalancesTest, PutOverlaysGivenAmountsOnTheDatesSnapshot) {
  MustPut(1, CivilDay(2026, 1, 1), {.aum = "10", .deposit = "7"});
  MustPut(1, CivilDay(2026, 1, 1), {.aum = "12.5"});
  const auto days = MustRange({1}, CivilDay(2026, 1, 1), CivilDay(2026, 1, 1));
  ASSERT_EQ(days.size(), 1u);
  EXPECT_EQ(days[0].balances, (Balances{.aum = "12.5", .deposit = "7"}));
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM balance_snapshot"), 1);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM balance_snapshot WHERE instr(sealed, "
                      "CAST('12.5' AS BLOB)) > 0"),
            0);
}

TEST_F(BalancesTest, BadAmountsAndRangesAreInvalidArguments) {
  Status status = db_->Write([&](store::Transaction& tx) {
    return balances_->Put(tx, 1, CivilDay(2026, 1, 1), {.aum = "1", .loan = "12.345"});
  });
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.field(), "/loan");
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM balance_snapshot"), 0);
  status = db_->Read([&](store::Transaction& tx) {
    const std::vector<PersonId> members = {1};
    return balances_->Range(tx, members, CivilDay(2026, 1, 2), CivilDay(2026, 1, 1)).status();
  });
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  status = db_->Read([&](store::Transaction& tx) {
    const std::vector<PersonId> members = {1};
    return balances_->Range(tx, members, CivilDay(2000, 1, 1), CivilDay(2026, 1, 1)).status();
  });
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
}

TEST_F(BalancesTest, EraseRemovesEverySnapshot) {
  MustPut(1, CivilDay(2026, 1, 1), {.aum = "1"});
  MustPut(1, CivilDay(2026, 1, 2), {.aum = "2"});
  MustPut(2, CivilDay(2026, 1, 2), {.aum = "2"});
  ASSERT_TRUE(db_->Write([&](store::Transaction& tx) {
                   const std::vector<PersonId> members = {1};
                   return balances_->Erase(tx, members);
                 })
                  .ok());
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM balance_snapshot"), 1);
}

}  // namespace
}  // namespace banyan::profile
