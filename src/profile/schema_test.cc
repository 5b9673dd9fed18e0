#include "profile/schema.h"

#include <gtest/gtest.h>

#include "privacy/testing/privacy_fixture.h"

namespace banyan::profile {
namespace {

const AttributeDef& Def(const AttributeSchema& schema, std::string_view name) {
  const AttributeDef* def = schema.Find(name);
  CHECK(def != nullptr, "no attribute {}", name);
  return *def;
}

std::string Norm(std::string_view name, const Json& value) {
  AttributeSchema schema;
  Result<std::string> out = Normalize(Def(schema, name), value);
  return out.ok() ? *out : "error: " + out.status().message();
}

std::string NormText(std::string_view name, std::string_view text) {
  AttributeSchema schema;
  Result<std::string> out = NormalizeText(Def(schema, name), text);
  return out.ok() ? *out : "error: " + out.status().message();
}

TEST(Schema, BuiltinsCarryTypesMasksAndLabels) {
  AttributeSchema schema;
  EXPECT_EQ(Def(schema, "name").mask, privacy::MaskRule::kName);
  EXPECT_TRUE(Def(schema, "name").personal);
  EXPECT_EQ(Def(schema, "name").label, "姓名");
  EXPECT_EQ(Def(schema, "birth_date").mask, privacy::MaskRule::kDate);
  EXPECT_EQ(Def(schema, "aum").type, AttributeType::kDecimal);
  EXPECT_EQ(DecimalScale(Def(schema, "aum")), 2);
  EXPECT_EQ(DecimalScale(Def(schema, "home_latitude")), 6);
  EXPECT_TRUE(Def(schema, "age").read_only);
  EXPECT_FALSE(Def(schema, "city").personal);
  EXPECT_EQ(schema.Find("phone"), nullptr);  // an identifier, not an attribute
  EXPECT_EQ(schema.List().size(), BuiltinAttributes().size());
}

TEST(Schema, NormalizesEachTypeToItsCanonicalForm) {
  EXPECT_EQ(Norm("name", "  张伟 "), "\"张伟\"");
  EXPECT_EQ(Norm("risk_level", "r3"), "\"R3\"");
  EXPECT_EQ(Norm("aum", 523410.25), "\"523410.25\"");
  EXPECT_EQ(Norm("aum", "523410.20"), "\"523410.2\"");
  EXPECT_EQ(Norm("aum", 100), "\"100\"");
  EXPECT_EQ(Norm("home_latitude", "30.2740840"), "\"30.274084\"");
  // JSON numbers with fractions arrive as doubles: their shortest exact text, never an exponent.
  EXPECT_EQ(Norm("home_latitude", 30.279223), "\"30.279223\"");
  EXPECT_EQ(Norm("home_longitude", 120.161), "\"120.161\"");
  EXPECT_EQ(Norm("aum", 1e6), "\"1000000\"");
  EXPECT_EQ(Norm("aum", 0.1), "\"0.1\"");
  EXPECT_EQ(Norm("birth_date", "1990-05-17"), "\"1990-05-17\"");
  EXPECT_EQ(Norm("birth_date", "1990-05-17T00:00:00.000Z"), "\"1990-05-17\"");
  EXPECT_EQ(Norm("products", Json::array({"loan", "fund", "loan"})), "[\"fund\",\"loan\"]");
  EXPECT_EQ(Norm("products", "fund"), "[\"fund\"]");
  EXPECT_EQ(NormText("products", "loan|fund||card"), "[\"card\",\"fund\",\"loan\"]");
  EXPECT_EQ(NormText("channel_preference", "WeChat"), "\"wechat\"");
}

TEST(Schema, CustomTypesNormalizeToo) {
  AttributeDef def;
  def.name = "vip";
  def.type = AttributeType::kBoolean;
  EXPECT_EQ(*Normalize(def, true), "true");
  EXPECT_EQ(*NormalizeText(def, "0"), "false");
  def.type = AttributeType::kInteger;
  EXPECT_EQ(*Normalize(def, "42"), "42");
  EXPECT_EQ(*Normalize(def, -7), "-7");
  EXPECT_FALSE(Normalize(def, 1.5).ok());
  def.type = AttributeType::kTimestamp;
  EXPECT_EQ(*Normalize(def, "2026-01-01T08:00:00+08:00"), "\"2026-01-01T00:00:00Z\"");
}

TEST(Schema, ErrorsNameTheAttributeAndWhatWasExpected) {
  AttributeSchema schema;
  Result<std::string> risk = Normalize(Def(schema, "risk_level"), "R9");
  ASSERT_FALSE(risk.ok());
  EXPECT_EQ(risk.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(risk.status().message(), "risk_level: expected one of R1, R2, R3, R4, R5");
  EXPECT_EQ(risk.status().field(), "/risk_level");
  EXPECT_EQ(Norm("aum", "1.234"), "error: aum: '1.234' has more than 2 fraction digits");
  EXPECT_EQ(Norm("aum", true), "error: aum: expected a decimal number");
  EXPECT_EQ(Norm("birth_date", "1990-02-30"), "error: birth_date: expected a date YYYY-MM-DD");
  EXPECT_EQ(Norm("birth_date", "1850-01-01"), "error: birth_date: year outside 1900..2199");
  EXPECT_EQ(Norm("name", ""), "error: name: must not be empty");
  EXPECT_EQ(Norm("name", std::string("a\x01z")), "error: name: not clean UTF-8 text");
  EXPECT_EQ(Norm("name", std::string("\xff\xfe")), "error: name: not clean UTF-8 text");
  EXPECT_EQ(Norm("name", std::string(kAttributeValueBytesMax + 1, 'a')),
            "error: name: longer than 1024 bytes");
  EXPECT_EQ(Norm("age", 30), "error: age: derived from birth_date; it cannot be set");
  EXPECT_EQ(Norm("products", Json::array({1})), "error: products: expected a list of strings");
  Json many = Json::array();
  for (size_t i = 0; i <= kStringListItemsMax; ++i) many.push_back("p" + std::to_string(i));
  EXPECT_EQ(Norm("products", many), "error: products: more than 100 items");
}

class SchemaStoreTest : public privacy::testing::PrivacyFixture {
 protected:
  AttributeDef Custom(std::string name) {
    AttributeDef def;
    def.name = std::move(name);
    def.type = AttributeType::kEnum;
    def.enum_values = {"gold", "platinum", "diamond"};
    def.label = "会员等级";
    return def;
  }
  Status Add(AttributeSchema& schema, const AttributeDef& def) {
    return schema.Add(*db_, def, 7, clock_.Now()).status();
  }
};

TEST_F(SchemaStoreTest, CustomAttributeIsStoredAndLoadedBack) {
  AttributeSchema schema;
  ASSERT_TRUE(Add(schema, Custom("member_tier")).ok());
  ASSERT_NE(schema.Find("member_tier"), nullptr);
  EXPECT_EQ(schema.custom_count(), 1u);
  EXPECT_EQ(*Normalize(*schema.Find("member_tier"), "Gold"), "\"gold\"");

  std::unique_ptr<AttributeSchema> loaded;
  ASSERT_TRUE(db_->Read([&](store::Transaction& tx) -> Status {
                   ASSIGN_OR_RETURN(loaded, AttributeSchema::Load(tx));
                   return Status::Ok();
                 })
                  .ok());
  const AttributeDef* def = loaded->Find("member_tier");
  ASSERT_NE(def, nullptr);
  EXPECT_EQ(def->enum_values, Custom("member_tier").enum_values);
  EXPECT_EQ(def->label, "会员等级");
  EXPECT_FALSE(def->builtin);
  EXPECT_EQ(loaded->List().back().name, "member_tier");
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM profile_attribute WHERE created_by = 7"), 1);
}

TEST_F(SchemaStoreTest, AddValidatesWithMessagesNamingTheField) {
  AttributeSchema schema;
  const auto message = [&](const AttributeDef& def) {
    Status status = Add(schema, def);
    return status.ok() ? std::string("ok") : status.field() + " " + status.message();
  };
  EXPECT_EQ(message(Custom("Tier")), "/name name: expected [a-z][a-z0-9_]{0,63}");
  EXPECT_EQ(message(Custom(std::string(65, 'a'))), "/name name: expected [a-z][a-z0-9_]{0,63}");
  EXPECT_EQ(message(Custom("city")), "/name name: attribute 'city' already exists");
  EXPECT_EQ(message(Custom("phone")),
            "/name name: 'phone' is reserved for an identifier or import column");
  AttributeDef no_values = Custom("tier");
  no_values.enum_values.clear();
  EXPECT_EQ(message(no_values), "/enum_values enum_values: an enum needs 1 to 64 values");
  AttributeDef repeated = Custom("tier");
  repeated.enum_values = {"gold", "Gold"};
  EXPECT_EQ(message(repeated), "/enum_values/1 enum_values[1]: 'Gold' repeats");
  AttributeDef unmasked = Custom("secret_note");
  unmasked.type = AttributeType::kString;
  unmasked.enum_values.clear();
  unmasked.personal = true;
  EXPECT_EQ(message(unmasked), "/mask mask: a personal attribute needs a mask rule");
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM profile_attribute"), 0);
}

TEST_F(SchemaStoreTest, AddStopsAtTheLimit) {
  AttributeSchema schema;
  for (size_t i = 0; i < kAttributesMax; ++i) {
    ASSERT_TRUE(Add(schema, Custom("custom_" + std::to_string(i))).ok()) << i;
  }
  Status status = Add(schema, Custom("one_too_many"));
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace banyan::profile
