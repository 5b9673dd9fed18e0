#include "profile/balances.h"

#include <gtest/gtest.h>

#include "profile/aum_daily.h"
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

TEST(AumBandTest, BandsFollowTheEdges) {
  EXPECT_EQ(AumBand(std::nullopt), kNoAumBand);
  EXPECT_EQ(AumBand(-500), 0);
  EXPECT_EQ(AumBand(0), 0);
  EXPECT_EQ(AumBand(999'999), 0);
  EXPECT_EQ(AumBand(1'000'000), 1);  // 10,000 yuan
  EXPECT_EQ(AumBand(4'999'999), 2);
  EXPECT_EQ(AumBand(5'000'000), 3);  // 50,000 yuan: the built-in gold tier's floor
  EXPECT_EQ(AumBand(20'000'000'000), kAumBands - 1);
  EXPECT_EQ(AumBand(900'000'000'000), kAumBands - 1);
}

// The bank-wide daily sums follow every write: a new snapshot is added to the cell of the
// customer's branch, manager and band; a replaced one moves (band and all); an erased one leaves.
TEST_F(BalancesTest, DailySumsFollowPutsReplacementsAndErasure) {
  MustSql(
      "INSERT INTO profile (person_id, sealed, home_branch_id, rm_id, updated_at) VALUES (1, "
      "x'00', 7, 70, 0), (2, x'00', 7, 71, 0)");
  const CivilDay day(2026, 3, 1);
  MustPut(1, day, {.aum = "60000", .deposit = "100"});
  MustPut(2, day, {.aum = "70000.5"});
  MustPut(3, day, {.deposit = "5"});  // no profile, no AUM
  auto cells = [&] {
    std::vector<AumCell> out;
    Status status = db_->Read([&](store::Transaction& tx) -> Status {
      ASSIGN_OR_RETURN(out, ReadAumDaily(tx, day, day, {}));
      return Status::Ok();
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return out;
  };
  std::vector<AumCell> now = cells();
  ASSERT_EQ(now.size(), 3u);
  int64_t aum = 0, customers = 0, holders = 0;
  for (const AumCell& cell : now) {
    aum += cell.fen[0];
    customers += cell.customers;
    holders += cell.aum_holders;
  }
  EXPECT_EQ(aum, 13'000'050);
  EXPECT_EQ(customers, 3);
  EXPECT_EQ(holders, 2);

  // Person 1 grows past 500k: leaves band 3, joins band 6; the deposit is kept.
  MustPut(1, day, {.aum = "600000"});
  now = cells();
  ASSERT_EQ(now.size(), 3u);
  bool moved = false;
  for (const AumCell& cell : now) {
    if (cell.key == AumCellKey{7, 70, AumBand(60'000'000)}) {
      moved = true;
      EXPECT_EQ(cell.fen[0], 60'000'000);
      EXPECT_EQ(cell.fen[1], 10'000);
      EXPECT_EQ(cell.customers, 1);
    }
    EXPECT_NE(cell.key, (AumCellKey{7, 70, AumBand(6'000'000)}));
  }
  EXPECT_TRUE(moved);

  // Scoped reads: one manager's cells, some branches' cells.
  Status status = db_->Read([&](store::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(std::vector<AumCell> mine, ReadAumDaily(tx, day, day, {.rm_id = 71}));
    EXPECT_EQ(mine.size(), 1u);
    ASSIGN_OR_RETURN(std::vector<AumCell> none,
                     ReadAumDaily(tx, day, day, {.branch_ids = std::vector<int64_t>{}}));
    EXPECT_TRUE(none.empty());
    ASSIGN_OR_RETURN(std::vector<AumCell> branch,
                     ReadAumDaily(tx, day, day, {.branch_ids = std::vector<int64_t>{7}}));
    EXPECT_EQ(branch.size(), 2u);
    return Status::Ok();
  });
  ASSERT_TRUE(status.ok()) << status.ToString();

  ASSERT_TRUE(db_->Write([&](store::Transaction& tx) {
                   const std::vector<PersonId> members = {1, 3};
                   return balances_->Erase(tx, members);
                 })
                  .ok());
  now = cells();
  ASSERT_EQ(now.size(), 1u);
  EXPECT_EQ(now[0].key, (AumCellKey{7, 71, AumBand(7'000'050)}));
  EXPECT_EQ(now[0].fen[0], 7'000'050);
}

}  // namespace
}  // namespace banyan::profile
