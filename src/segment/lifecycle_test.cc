// Lifecycle stages on a small engine: each rule at its edges, and the rules' validation.

#include "segment/lifecycle.h"

#include <gtest/gtest.h>

#include "segment/testing/dataset.h"
#include "segment/testing/engine_loader.h"

namespace banyan::segment {
namespace {

const BusinessCalendar& Shanghai() {
  static const BusinessCalendar calendar = *BusinessCalendar::Create("Asia/Shanghai");
  return calendar;
}

// Stage name of each customer id, from dataset lines, at `now` of the dataset.
std::map<int64_t, std::string> Stages(std::initializer_list<std::string_view> lines,
                                      const LifecycleRules& rules = {}) {
  testing::Dataset data;
  Catalog catalog = testing::BuiltinTestCatalog();
  for (std::string_view line : lines) CHECK(testing::ApplyLine(line, data, catalog).ok());
  testing::EngineLoader loader;
  CHECK(loader.Sync(data, catalog).ok());
  const auto snapshot = loader.engine().snapshot();
  const std::vector<LifecycleStage> stages =
      LifecycleStages(*snapshot, data.now, Shanghai(), rules);
  const auto bitmaps = LifecycleBitmaps(stages);
  std::map<int64_t, std::string> out;
  for (size_t s = 0; s < kLifecycleStageCount; ++s) {
    for (int64_t id : loader.Ids(bitmaps[s], *snapshot)) {
      out[id] = std::string(LifecycleStageName(static_cast<LifecycleStage>(s)));
    }
  }
  return out;
}

TEST(Lifecycle, NewCustomersAreInIntroductionWhateverTheirActivity) {
  auto stages = Stages({
      "now 2026-03-31T12:00:00+08:00",
      "customer 1 customer_since=2026-03-02",     // day 29 back: new
      "customer 2 customer_since=2026-03-01",     // day 30 back: not new, and never active
      "event 3 2026-03-02T00:00:00+08:00 login",  // first seen by an event on day 29
      "event 4 2026-03-01T23:59:59+08:00 login",  // day 30: not new; then silent 30 days
      "customer 5 customer_since=2026-04-01",     // not a customer yet
  });
  EXPECT_EQ(stages[1], "introduction");
  EXPECT_EQ(stages[2], "decline");
  EXPECT_EQ(stages[3], "introduction");
  EXPECT_EQ(stages[4], "decline");  // active days fell from 1 to 0
  EXPECT_FALSE(stages.contains(5));
}

TEST(Lifecycle, ActiveDaysThisPeriodAgainstThePreviousOne) {
  auto stages = Stages({
      "now 2026-03-31T12:00:00+08:00",
      // growth: 3 active days now (two events on one day count once) against 2 before
      "customer 1 customer_since=2025-01-01",
      "event 1 2026-03-30T09:00:00+08:00 login",
      "event 1 2026-03-30T10:00:00+08:00 login",
      "event 1 2026-03-20T09:00:00+08:00 login",
      "event 1 2026-03-10T09:00:00+08:00 login",
      "event 1 2026-02-20T09:00:00+08:00 login",
      "event 1 2026-02-10T09:00:00+08:00 login",
      // maturity: 2 and 2
      "customer 2 customer_since=2025-01-01",
      "event 2 2026-03-30T09:00:00+08:00 login",
      "event 2 2026-03-10T09:00:00+08:00 login",
      "event 2 2026-02-20T09:00:00+08:00 login",
      "event 2 2026-02-10T09:00:00+08:00 login",
      // decline: 1 against 2 (0.5 ≤ 0.8)
      "customer 3 customer_since=2025-01-01",
      "event 3 2026-03-30T09:00:00+08:00 login",
      "event 3 2026-02-20T09:00:00+08:00 login",
      "event 3 2026-02-10T09:00:00+08:00 login",
      // dormant: nothing in 60 days, however active before
      "customer 4 customer_since=2025-01-01",
      "event 4 2026-01-30T09:00:00+08:00 login",
      "event 4 2026-01-20T09:00:00+08:00 login",
      // $identify is not activity: 1 against 0 is growth only counting the login
      "customer 5 customer_since=2025-01-01",
      "event 5 2026-03-30T09:00:00+08:00 $identify",
      "event 5 2026-02-20T09:00:00+08:00 login",
  });
  EXPECT_EQ(stages[1], "growth");
  EXPECT_EQ(stages[2], "maturity");
  EXPECT_EQ(stages[3], "decline");
  EXPECT_EQ(stages[4], "decline");
  EXPECT_EQ(stages[5], "decline");
}

TEST(Lifecycle, ThresholdsAreConfigurable) {
  LifecycleRules rules;
  rules.new_days = 7;
  rules.decline_ratio = 0.4;
  auto stages = Stages(
      {
          "now 2026-03-31T12:00:00+08:00",
          "customer 1 customer_since=2026-03-20",
          "event 1 2026-03-30T09:00:00+08:00 login",
          "customer 2 customer_since=2025-01-01",
          "event 2 2026-03-30T09:00:00+08:00 login",
          "event 2 2026-02-20T09:00:00+08:00 login",
          "event 2 2026-02-10T09:00:00+08:00 login",
      },
      rules);
  EXPECT_EQ(stages[1], "growth");    // 11 days old: no longer new; 1 day against 0
  EXPECT_EQ(stages[2], "maturity");  // 0.5 > 0.4
}

TEST(Lifecycle, RulesFromJsonNameTheBadField) {
  auto rules = LifecycleRulesFromJson(Json::parse(R"({"new_days": 14, "growth_ratio": 1.5})"));
  ASSERT_TRUE(rules.ok());
  EXPECT_EQ(rules->new_days, 14);
  EXPECT_EQ(rules->dormant_days, 60);
  EXPECT_EQ(LifecycleRulesToJson(*rules)["growth_ratio"], 1.5);
  EXPECT_EQ(LifecycleRulesFromJson(Json::parse(R"({"new_days": 0})")).status().field(),
            "/new_days");
  EXPECT_EQ(LifecycleRulesFromJson(Json::parse(R"({"decline_ratio": 1.2})")).status().field(),
            "/decline_ratio");
  EXPECT_EQ(
      LifecycleRulesFromJson(Json::parse(R"({"inactive_event_types": [""]})")).status().field(),
      "/inactive_event_types/0");
  EXPECT_FALSE(LifecycleRulesFromJson(Json::parse(R"({"colour": 1})")).ok());
  EXPECT_EQ(ParseLifecycleStage("growth"), LifecycleStage::kGrowth);
  EXPECT_FALSE(ParseLifecycleStage("none").has_value());
}

}  // namespace
}  // namespace banyan::segment
