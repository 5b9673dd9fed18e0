#include "events/tracking_plan.h"

#include <gtest/gtest.h>

namespace banyan::events {
namespace {

constexpr std::string_view kPlanJson = R"({"events":[
  {"event":"Loan Applied","policy":"reject","allow_unexpected":false,
   "properties":{"amount":{"type":"number","required":true},
                 "term_months":{"type":"integer"},
                 "product.code":{"type":"string","required":true},
                 "applied_at":{"type":"timestamp"}}},
  {"event":"Fund Viewed","policy":"accept_and_flag",
   "properties":{"fund_code":{"type":"string","required":true}}},
  {"event":"Banner Clicked","policy":"accept",
   "properties":{"banner_id":{"type":"string","required":true}}}]})";

Event Track(std::string name, std::string properties) {
  Event event;
  event.type = EventType::kTrack;
  event.name = std::move(name);
  event.properties = std::move(properties);
  return event;
}

class TrackingPlanTest : public ::testing::Test {
 protected:
  TrackingPlanTest() : plan_(TrackingPlan::FromJson(kPlanJson).value()) {}
  TrackingPlan plan_;
  TrackingPlanCounters counters_;
};

TEST_F(TrackingPlanTest, ValidEventIsStored) {
  const auto verdict = plan_.Validate(Track(
      "Loan Applied",
      R"({"amount":5000.5,"term_months":12.0,"product":{"code":"CL01"},"applied_at":"2026-11-22T02:30:00Z"})"));
  EXPECT_TRUE(verdict.planned);
  EXPECT_EQ(verdict.action, PlanAction::kStore);
  EXPECT_TRUE(verdict.violations.empty());
  counters_.Record(verdict);
  EXPECT_EQ(counters_.events_valid.load(), 1);
}

TEST_F(TrackingPlanTest, RejectPolicyReportsEveryViolation) {
  const auto verdict = plan_.Validate(Track(
      "Loan Applied", R"({"amount":"5000","term_months":1.5,"applied_at":"soon","extra":1})"));
  EXPECT_EQ(verdict.action, PlanAction::kReject);
  ASSERT_EQ(verdict.violations.size(), 5u);
  EXPECT_EQ(verdict.violations[0].path, "/properties/amount");
  EXPECT_EQ(verdict.violations[0].kind, ViolationKind::kWrongType);
  EXPECT_EQ(verdict.violations[0].message, "expected number");
  // Declared properties are checked in path order.
  EXPECT_EQ(verdict.violations[1].path, "/properties/applied_at");
  EXPECT_EQ(verdict.violations[2].path, "/properties/product/code");
  EXPECT_EQ(verdict.violations[2].kind, ViolationKind::kMissing);
  EXPECT_EQ(verdict.violations[3].path, "/properties/term_months");
  EXPECT_EQ(verdict.violations[4].path, "/properties/extra");
  EXPECT_EQ(verdict.violations[4].kind, ViolationKind::kUnexpected);
  EXPECT_EQ(verdict.violations[4].event, "Loan Applied");
  counters_.Record(verdict);
  EXPECT_EQ(counters_.events_rejected.load(), 1);
  EXPECT_EQ(counters_.violations_wrong_type.load(), 3);
  EXPECT_EQ(counters_.violations_missing.load(), 1);
  EXPECT_EQ(counters_.violations_unexpected.load(), 1);
}

TEST_F(TrackingPlanTest, FlagAndAcceptPolicies) {
  const auto flagged = plan_.Validate(Track("Fund Viewed", R"({"fund_code":null})"));
  EXPECT_EQ(flagged.action, PlanAction::kStoreFlagged);
  EXPECT_EQ(flagged.violations.at(0).kind, ViolationKind::kMissing);
  const auto accepted = plan_.Validate(Track("Banner Clicked", R"({"banner_id":7,"x":1})"));
  EXPECT_EQ(accepted.action, PlanAction::kStore);
  EXPECT_EQ(accepted.violations.size(), 1u);  // unexpected members are allowed by default
  counters_.Record(flagged);
  counters_.Record(accepted);
  EXPECT_EQ(counters_.events_flagged.load(), 1);
  EXPECT_EQ(counters_.events_accepted_with_violations.load(), 1);
}

TEST_F(TrackingPlanTest, UnplannedAndUncheckedTypesPass) {
  const auto unplanned = plan_.Validate(Track("Something Else", "{}"));
  EXPECT_FALSE(unplanned.planned);
  Event identify = Track("Loan Applied", "{}");
  identify.type = EventType::kIdentify;
  EXPECT_FALSE(plan_.Validate(identify).planned);
  counters_.Record(unplanned);
  EXPECT_EQ(counters_.events_unplanned.load(), 1);
}

TEST_F(TrackingPlanTest, RoundTripsThroughJson) {
  const auto again = TrackingPlan::FromJson(plan_.ToJson().dump());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->size(), 3u);
  EXPECT_EQ(again->ToJson(), plan_.ToJson());
  EXPECT_EQ(again->Find("Loan Applied")->policy, PlanPolicy::kReject);
}

TEST(TrackingPlan, RejectsBadPlansWithPointers) {
  const auto field = [](std::string_view json) {
    auto plan = TrackingPlan::FromJson(json);
    EXPECT_FALSE(plan.ok());
    return plan.ok() ? std::string() : plan.status().field();
  };
  EXPECT_EQ(field(R"({"events":[{"event":"e","policy":"maybe"}]})"), "/events/0/policy");
  EXPECT_EQ(field(R"({"events":[{"event":"e","properties":{"a":{"type":"date"}}}]})"),
            "/events/0/properties/a/type");
  EXPECT_EQ(field(R"({"events":[{"event":"e","properties":{"a..b":{"type":"string"}}}]})"),
            "/events/0/properties/a..b");
  EXPECT_EQ(field(R"({"events":[{"event":"e","colour":"red"}]})"), "/events/0/colour");
  EXPECT_EQ(field(R"({"events":{}})"), "/events");
  EXPECT_FALSE(TrackingPlan::FromJson(R"({"events":[{"event":"e"},{"event":"e"}]})").ok());
}

TEST(TrackingPlan, CapsReportedViolationsButCountsTheRest) {
  std::string properties = "{";
  for (size_t i = 0; i < kPlanViolationsMax + 10; ++i) {
    properties += "\"p" + std::to_string(i) + "\":1,";
  }
  properties.back() = '}';
  const auto plan = TrackingPlan::FromJson(
      R"({"events":[{"event":"e","allow_unexpected":false,"policy":"accept"}]})");
  ASSERT_TRUE(plan.ok());
  const auto verdict = plan->Validate(Track("e", properties));
  EXPECT_EQ(verdict.violations.size(), kPlanViolationsMax);
  EXPECT_EQ(verdict.violations_dropped, 10u);
  TrackingPlanCounters counters;
  counters.Record(verdict);
  EXPECT_EQ(counters.violations_dropped.load(), 10);
}

}  // namespace
}  // namespace banyan::events
