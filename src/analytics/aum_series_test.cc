#include "analytics/aum_series.h"

#include <gtest/gtest.h>

namespace banyan::analytics {
namespace {

using profile::AumCell;

AumCell Cell(CivilDay date, int64_t branch, int64_t rm, int band, int64_t aum,
             int64_t deposit = 0) {
  AumCell cell;
  cell.date = date;
  cell.key = {branch, rm, band};
  cell.customers = 1;
  cell.aum_holders = band == profile::kNoAumBand ? 0 : 1;
  cell.fen = {aum, deposit, 0, 0, 0};
  return cell;
}

// A: branch 1, manager 10, gold band; B: branch 2, manager 20, wealth band; C: no branch, no
// AUM, a deposit. 02-28 is before the range (the baseline of March's net inflow).
AumSeriesInput Input() {
  AumSeriesInput input;
  input.cells = {
      Cell(CivilDay(2026, 2, 28), 1, 10, 3, 1000),
      Cell(CivilDay(2026, 2, 28), 2, 20, 6, 5000),
      Cell(CivilDay(2026, 3, 1), 1, 10, 3, 1000),
      Cell(CivilDay(2026, 3, 1), 2, 20, 6, 6000),
      Cell(CivilDay(2026, 3, 31), 1, 10, 3, 2000),
      Cell(CivilDay(2026, 3, 31), 2, 20, 6, 6000),
      Cell(CivilDay(2026, 3, 31), 0, 0, profile::kNoAumBand, 0, 300),
      Cell(CivilDay(2026, 4, 10), 1, 10, 3, 3000),
  };
  input.tiers = {{"mass", "大众", std::nullopt, "50000"},
                 {"gold", "金卡", "50000", "500000"},
                 {"wealth", "金葵花", "500000", "10000000"},
                 {"private", "私人银行", "10000000", std::nullopt}};
  input.names = {{1, {"BJ01", "北京分行"}}, {2, {"SH01", "上海分行"}}};
  return input;
}

AumSeriesQuery Query(AumSplit split, CivilDay to = CivilDay(2026, 4, 30)) {
  AumSeriesQuery query;
  query.range = {CivilDay(2026, 3, 1), to};
  query.interval = Interval::kMonth;
  query.split = split;
  return query;
}

using Column = std::vector<std::optional<int64_t>>;

TEST(AumSeriesTest, PeriodEndAverageNetInflowAndCustomers) {
  Result<AumSeriesResult> result = RunAumSeries(Query(AumSplit::kNone), Input());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->periods, (std::vector<std::string>{"2026-03", "2026-04"}));
  EXPECT_EQ(result->as_of[0], CivilDay(2026, 3, 31));
  EXPECT_EQ(result->as_of[1], CivilDay(2026, 4, 10));
  EXPECT_EQ(result->overall.end, (Column{8000, 3000}));
  EXPECT_EQ(result->overall.daily_average, (Column{7500, 3000}));
  EXPECT_EQ(result->overall.net_inflow, (Column{2000, -5000}));  // from 02-28's 6000
  EXPECT_EQ(result->overall.customers, (Column{2, 1}));          // holding an AUM
  EXPECT_TRUE(result->groups.empty());
}

TEST(AumSeriesTest, TiersAreTheTagsBucketsOverTheBands) {
  Result<AumSeriesResult> result = RunAumSeries(Query(AumSplit::kTier), Input());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->groups.size(), 5u);  // every tier, then "(none)"
  EXPECT_EQ(result->groups[0].name, "mass");
  EXPECT_EQ(result->groups[0].end, (Column{0, 0}));
  EXPECT_EQ(result->groups[1].name, "gold");
  EXPECT_EQ(result->groups[1].label, "金卡");
  EXPECT_EQ(result->groups[1].end, (Column{2000, 3000}));
  EXPECT_EQ(result->groups[1].daily_average, (Column{1500, 3000}));
  EXPECT_EQ(result->groups[1].net_inflow, (Column{1000, 1000}));
  EXPECT_EQ(result->groups[2].name, "wealth");
  EXPECT_EQ(result->groups[2].end, (Column{6000, 0}));  // no snapshot on 04-10: none held
  EXPECT_EQ(result->groups[2].net_inflow, (Column{1000, -6000}));
  EXPECT_EQ(result->groups[2].customers, (Column{1, 0}));
  EXPECT_EQ(result->groups[3].name, "private");
  EXPECT_EQ(result->groups[4].name, "(none)");
  EXPECT_EQ(result->groups[4].customers, (Column{0, 0}));
}

TEST(AumSeriesTest, OtherMeasuresCountEverySnapshot) {
  AumSeriesQuery query = Query(AumSplit::kBranch);
  query.measure = 1;  // deposit
  Result<AumSeriesResult> result = RunAumSeries(query, Input());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->overall.end, (Column{300, 0}));
  EXPECT_EQ(result->overall.customers, (Column{3, 1}));
  ASSERT_EQ(result->groups.size(), 3u);
  EXPECT_EQ(result->groups.back().name, "(none)");
  EXPECT_EQ(result->groups.back().end, (Column{300, 0}));
}

TEST(AumSeriesTest, BranchesLargestFirstAndPeriodsWithoutSnapshotsAreNull) {
  Result<AumSeriesResult> result =
      RunAumSeries(Query(AumSplit::kBranch, CivilDay(2026, 5, 31)), Input());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->periods.size(), 3u);
  EXPECT_FALSE(result->as_of[2].has_value());
  EXPECT_EQ(result->overall.end, (Column{8000, 3000, std::nullopt}));
  ASSERT_EQ(result->groups.size(), 3u);
  EXPECT_EQ(result->groups[0].name, "BJ01");  // 3000 at its last period-end, against 0
  EXPECT_EQ(result->groups[0].label, "北京分行");
  EXPECT_EQ(result->groups[1].name, "SH01");
  EXPECT_EQ(result->groups[2].name, "(none)");
}

TEST(AumSeriesTest, DaysWeeksAndTheRangeClipPeriods) {
  AumSeriesQuery query = Query(AumSplit::kNone, CivilDay(2026, 3, 31));
  query.interval = Interval::kWeek;  // 2026-03-01 is a Sunday
  Result<AumSeriesResult> result = RunAumSeries(query, Input());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->periods.front(), "2026-02-23");
  EXPECT_EQ(result->overall.end.front(), 7000);  // only 03-01 inside the range
  EXPECT_EQ(result->overall.end.back(), 8000);
  // The second week has no snapshot: null, and the next period's net inflow has no base.
  EXPECT_FALSE(result->overall.end[1].has_value());
  EXPECT_FALSE(result->overall.net_inflow.back().has_value());
}

TEST(AumSeriesTest, RefusesTierBoundsBetweenBandsAndBadQueries) {
  AumSeriesInput input = Input();
  input.tiers[1].min = "60000";
  Result<AumSeriesResult> result = RunAumSeries(Query(AumSplit::kTier), input);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().field(), "/group_by");

  const auto parse = [](std::string_view text) {
    return ParseAumSeriesQuery(*ParseJson(text)).status();
  };
  EXPECT_TRUE(parse(R"({"range": {"from": "2026-03-01", "to": "2026-04-30"}})").ok());
  EXPECT_EQ(
      parse(R"({"range": {"from": "2026-03-01", "to": "2026-04-30"}, "measure": "x"})").field(),
      "/measure");
  EXPECT_EQ(
      parse(R"({"range": {"from": "2026-03-01", "to": "2026-04-30"}, "group_by": "city"})").field(),
      "/group_by");
  EXPECT_EQ(
      parse(R"({"range": {"from": "2026-03-01", "to": "2026-04-30"}, "segment": "x"})").code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(parse(R"({"range": {"from": "2026-05-01", "to": "2026-04-30"}})").field(), "/range/to");
}

}  // namespace
}  // namespace banyan::analytics
