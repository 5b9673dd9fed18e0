#include "customer/engine_records.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace banyan::customer {
namespace {

using engine::AttributeKind;

std::optional<AttributeKind> KindOf(const std::vector<engine::AttributeSpec>& specs,
                                    std::string_view name) {
  for (const auto& spec : specs) {
    if (spec.name == name) return spec.kind;
  }
  return std::nullopt;
}

TEST(EngineRecords, BuiltinsBecomeTypedColumnsButNotDirectIdentifiers) {
  profile::AttributeSchema schema;
  const auto specs = EngineAttributeSpecs(schema);
  EXPECT_EQ(KindOf(specs, "age"), AttributeKind::kInteger);
  EXPECT_EQ(KindOf(specs, "gender"), AttributeKind::kString);
  EXPECT_EQ(KindOf(specs, "aum"), AttributeKind::kDecimal);
  EXPECT_EQ(KindOf(specs, "home_latitude"), AttributeKind::kDecimal);
  EXPECT_EQ(KindOf(specs, "customer_since"), AttributeKind::kDate);
  EXPECT_EQ(KindOf(specs, "products"), AttributeKind::kStringList);
  EXPECT_EQ(KindOf(specs, "name"), std::nullopt);
  EXPECT_EQ(KindOf(specs, "address"), std::nullopt);
  EXPECT_EQ(KindOf(specs, "birth_date"), std::nullopt);

  profile::AttributeDef custom;
  custom.name = "wechat_nickname";
  custom.personal = true;
  custom.mask = privacy::MaskRule::kName;
  EXPECT_FALSE(EngineAttributeSpec(custom).has_value());
}

TEST(EngineRecords, CanonicalValuesConvertToEngineUnits) {
  profile::AttributeSchema schema;
  EXPECT_EQ(EngineValueOf(*schema.Find("aum"), R"("523410.25")").value(),
            engine::AttributeValue(int64_t{52341025}));
  EXPECT_EQ(EngineValueOf(*schema.Find("aum"), R"("-3.5")").value(),
            engine::AttributeValue(int64_t{-350}));
  EXPECT_EQ(EngineValueOf(*schema.Find("home_latitude"), R"("30.25")").value(),
            engine::AttributeValue(int64_t{30'250'000}));
  EXPECT_EQ(EngineValueOf(*schema.Find("customer_since"), R"("1970-01-11")").value(),
            engine::AttributeValue(int64_t{10}));
  EXPECT_EQ(EngineValueOf(*schema.Find("risk_level"), R"("R3")").value(),
            engine::AttributeValue(std::string("R3")));
  EXPECT_FALSE(EngineValueOf(*schema.Find("aum"), "12").ok());  // decimals are strings
}

TEST(EngineRecords, ConsentAllAnswersForEveryChannel) {
  profile::AttributeSchema schema;
  const privacy::ConsentState all{privacy::Purpose::kMarketing, "all", true, Timestamp{}, "sdk", 1};
  const privacy::ConsentState sms{privacy::Purpose::kMarketing,          "sms", false,
                                  Timestamp{} + std::chrono::seconds(1), "sdk", 2};
  const std::vector<privacy::ConsentState> consents = {all, sms};
  std::vector<engine::AttributeSpec> specs;
  auto changes = EngineAttributesOf(7, profile::Profile{}, consents, schema, &specs, nullptr);

  auto value_of = [&](std::string_view name) -> engine::AttributeValue {
    for (const auto& change : changes) {
      if (change.attribute == name) return change.value;
    }
    return std::string("absent");
  };
  EXPECT_EQ(value_of("consent.marketing.all"), engine::AttributeValue(true));
  EXPECT_EQ(value_of("consent.marketing.sms"), engine::AttributeValue(false));  // newer, own
  EXPECT_EQ(value_of("consent.marketing.wechat"), engine::AttributeValue(true));
  EXPECT_EQ(value_of("consent.data_sharing.sms"), engine::AttributeValue(std::string("absent")));
  EXPECT_EQ(value_of("city"), engine::AttributeValue(std::monostate{}));  // unset, not absent
  EXPECT_EQ(KindOf(specs, "consent.marketing.email"), AttributeKind::kBoolean);
}

TEST(EngineRecords, EventsMapToTypesAndHoldableProperties) {
  events::Event page;
  page.type = events::EventType::kPage;
  page.name = "home";
  page.event_time = FromUnixMicros(1'700'000'000'000'000);
  page.channel = events::Channel::kApp;
  page.properties = R"({"n":2.5,"ok":true,"s":"x","list":[1],"none":null})";
  int64_t skipped = 0;
  auto record = EngineEventOf(9, page, &skipped);
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->type, "$page");
  EXPECT_EQ(record->person, 9);
  EXPECT_EQ(record->time_seconds, 1'700'000'000);
  EXPECT_EQ(record->channel, static_cast<uint8_t>(events::Channel::kApp));
  EXPECT_EQ(skipped, 2);
  auto has = [&](std::string_view key) {
    return std::any_of(record->properties.begin(), record->properties.end(),
                       [&](const engine::EventProperty& p) { return p.key == key; });
  };
  EXPECT_TRUE(has("n") && has("ok") && has("s") && has("name"));

  events::Event increment;
  increment.type = events::EventType::kProfileIncrement;
  EXPECT_FALSE(EngineEventOf(9, increment, &skipped).has_value());
}

}  // namespace
}  // namespace banyan::customer
