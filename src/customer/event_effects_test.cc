#include "customer/event_effects.h"

#include <gtest/gtest.h>

#include "base/time.h"

namespace banyan::customer {
namespace {

events::Event Consent(std::string properties) {
  events::Event e;
  e.type = events::EventType::kTrack;
  e.name = "$consent";
  e.message_id = "m-1";
  e.write_key_id = "7";
  e.event_time = *ParseRfc3339("2026-11-22T02:00:00Z");
  e.properties = std::move(properties);
  return e;
}

TEST(EventEffects, ConsentEventBecomesAnIdempotentFact) {
  auto fact = ConsentOf(Consent(
      R"({"purpose":"marketing","channel":"sms","granted":false,"evidence":{"form":"F1"}})"));
  ASSERT_TRUE(fact.ok()) << fact.status().ToString();
  ASSERT_TRUE(fact->has_value());
  const privacy::ConsentFact& f = **fact;
  EXPECT_EQ(f.purpose, privacy::Purpose::kMarketing);
  EXPECT_EQ(f.channel, "sms");
  EXPECT_FALSE(f.granted);
  EXPECT_EQ(f.source, "sdk");
  EXPECT_EQ(f.at, *ParseRfc3339("2026-11-22T02:00:00Z"));
  EXPECT_EQ(f.idempotency_key, "event:7:m-1");
  EXPECT_EQ(ParseJson(f.evidence).value(), Json({{"form", "F1"}, {"message_id", "m-1"}}));
}

TEST(EventEffects, ConsentDefaultsToAllChannels) {
  auto fact = ConsentOf(Consent(R"({"purpose":"data_sharing","granted":true})"));
  ASSERT_TRUE(fact.ok());
  EXPECT_EQ((*fact)->channel, "all");
}

TEST(EventEffects, MalformedConsentNamesTheProperty) {
  struct Case {
    std::string properties, field;
  };
  for (const Case& c : std::vector<Case>{
           {R"({"granted":true})", "/properties/purpose"},
           {R"({"purpose":"spam","granted":true})", "/properties/purpose"},
           {R"({"purpose":"marketing","channel":"pigeon","granted":true})", "/properties/channel"},
           {R"({"purpose":"marketing","granted":"yes"})", "/properties/granted"},
           {R"({"purpose":"marketing","granted":true,"evidence":"x"})", "/properties/evidence"},
       }) {
    auto fact = ConsentOf(Consent(c.properties));
    ASSERT_FALSE(fact.ok()) << c.properties;
    EXPECT_EQ(fact.status().field(), c.field) << c.properties;
  }
}

TEST(EventEffects, OtherEventsHaveNoConsentAndTrackHasNoProfileUpdates) {
  events::Event e = Consent("{}");
  e.name = "view_product";
  EXPECT_FALSE(ConsentOf(e).value().has_value());
  EXPECT_TRUE(ProfileUpdatesOf(e).empty());
}

TEST(EventEffects, IdentifyTraitsBecomeProfileUpdates) {
  events::Event e;
  e.type = events::EventType::kIdentify;
  e.traits = R"({"name":"张三","phone":"13812341234","city":"杭州"})";
  e.event_time = *ParseRfc3339("2026-11-22T02:00:00Z");
  const auto updates = ProfileUpdatesOf(e);
  std::vector<std::string> names;
  for (const auto& u : updates) names.push_back(u.name);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"city", "name"}));  // phone is an identifier
}

}  // namespace
}  // namespace banyan::customer
