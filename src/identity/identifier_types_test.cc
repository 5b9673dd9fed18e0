#include "identity/identifier_types.h"

#include <gtest/gtest.h>

namespace banyan::identity {
namespace {

std::string Normal(std::string_view type, std::string_view value) {
  Result<std::string> out = IdentifierTypes().Normalize(type, value);
  return out.ok() ? *out : "error: " + out.status().message();
}

TEST(IdentifierTypes, BuiltinsHaveTheDocumentedStrengthAndCardinality) {
  const IdentifierTypes types;
  struct Want {
    const char* name;
    int strength;
    Cardinality cardinality;
    privacy::MaskRule mask;
  };
  const Want wants[] = {
      {"cust_no", 100, Cardinality::kOnePerPerson, privacy::MaskRule::kCardNumber},
      {"id_card", 95, Cardinality::kOnePerPerson, privacy::MaskRule::kIdNumber},
      {"phone", 80, Cardinality::kMany, privacy::MaskRule::kPhone},
      {"wechat_unionid", 75, Cardinality::kMany, privacy::MaskRule::kOpaque},
      {"email", 70, Cardinality::kMany, privacy::MaskRule::kEmail},
      {"app_user_id", 65, Cardinality::kMany, privacy::MaskRule::kOpaque},
      {"alipay_user_id", 60, Cardinality::kMany, privacy::MaskRule::kOpaque},
      {"wecom_external_userid", 60, Cardinality::kMany, privacy::MaskRule::kOpaque},
      {"wechat_openid", 55, Cardinality::kMany, privacy::MaskRule::kOpaque},
      {"douyin_id", 50, Cardinality::kMany, privacy::MaskRule::kOpaque},
      {"device_id", 20, Cardinality::kShared, privacy::MaskRule::kOpaque},
      {"anonymous_id", 10, Cardinality::kMany, privacy::MaskRule::kOpaque},
  };
  ASSERT_EQ(types.size(), std::size(wants));
  for (const Want& want : wants) {
    const IdentifierType* type = types.Find(want.name);
    ASSERT_NE(type, nullptr) << want.name;
    EXPECT_EQ(type->strength, want.strength) << want.name;
    EXPECT_EQ(type->cardinality, want.cardinality) << want.name;
    EXPECT_EQ(type->mask, want.mask) << want.name;
    EXPECT_EQ(type->strong(), want.strength >= kStrongStrengthMin) << want.name;
  }
  EXPECT_EQ(types.OnePerPersonBit(*types.IndexOf("cust_no")), 0);
  EXPECT_EQ(types.OnePerPersonBit(*types.IndexOf("id_card")), 1);
  EXPECT_FALSE(types.OnePerPersonBit(*types.IndexOf("phone")).has_value());
}

TEST(IdentifierTypes, PhoneDropsSeparatorsAndTheCountryCode) {
  EXPECT_EQ(Normal("phone", "13812341234"), "13812341234");
  EXPECT_EQ(Normal("phone", "+86 138-1234-1234"), "13812341234");
  EXPECT_EQ(Normal("phone", "008613812341234"), "13812341234");
  EXPECT_EQ(Normal("phone", "8613812341234"), "13812341234");
  EXPECT_EQ(Normal("phone", "  138 1234 1234 "), "13812341234");
  EXPECT_EQ(Normal("phone", "1381234123"), "error: phone: expected 11 digits starting with 1");
  EXPECT_EQ(Normal("phone", "23812341234"), "error: phone: expected 11 digits starting with 1");
  EXPECT_EQ(Normal("phone", "1381234123x"), "error: phone: expected 11 digits starting with 1");
  EXPECT_EQ(Normal("phone", "+1 415 555 0100"), "error: phone: expected 11 digits starting with 1");
}

TEST(IdentifierTypes, IdCardChecksTheCheckCharacter) {
  EXPECT_EQ(Normal("id_card", "11010519491231002X"), "11010519491231002X");
  EXPECT_EQ(Normal("id_card", "11010519491231002x"), "11010519491231002X");
  EXPECT_EQ(Normal("id_card", "110101199003071233"), "110101199003071233");
  EXPECT_EQ(Normal("id_card", "110101199003071234"), "error: id_card: check digit does not match");
  EXPECT_EQ(Normal("id_card", "11010119900307123"), "error: id_card: expected 18 characters");
  EXPECT_EQ(Normal("id_card", "1101011990030712X3"),
            "error: id_card: expected 17 digits then a check character");
}

TEST(IdentifierTypes, EmailIsTrimmedAndLowerCased) {
  EXPECT_EQ(Normal("email", " Zhang.San@Example.CN "), "zhang.san@example.cn");
  EXPECT_EQ(Normal("email", "no-at-sign"),
            "error: email: expected one @ between a local part and a domain");
  EXPECT_EQ(Normal("email", "a@b@c"),
            "error: email: expected one @ between a local part and a domain");
  EXPECT_EQ(Normal("email", "@b.cn"),
            "error: email: expected one @ between a local part and a domain");
  EXPECT_EQ(Normal("email", "a b@c.cn"), "error: email: expected no spaces");
}

TEST(IdentifierTypes, WechatOpenidNeedsTheAppId) {
  EXPECT_EQ(Normal("wechat_openid", "wx123:oABC"), "wx123:oABC");
  EXPECT_EQ(Normal("wechat_openid", "oABC"), "error: wechat_openid: expected appid:openid");
  EXPECT_EQ(Normal("wechat_openid", ":oABC"), "error: wechat_openid: expected appid:openid");
  EXPECT_EQ(Normal("wechat_openid", "wx123:"), "error: wechat_openid: expected appid:openid");
  EXPECT_EQ(Normal("wechat_openid", "a:b:c"), "error: wechat_openid: expected appid:openid");
}

TEST(IdentifierTypes, CustomerNumberIsPlainCharacters) {
  EXPECT_EQ(Normal("cust_no", " 6201-000123_A "), "6201-000123_A");
  EXPECT_EQ(Normal("cust_no", "62 01"), "error: cust_no: expected letters, digits, '-' or '_'");
  EXPECT_EQ(Normal("cust_no", std::string(65, '1')), "error: cust_no: longer than 64 bytes");
}

TEST(IdentifierTypes, EveryTypeRefusesEmptyLongAndControlCharacters) {
  EXPECT_EQ(Normal("app_user_id", "   "), "error: app_user_id: empty");
  EXPECT_EQ(Normal("app_user_id", std::string(kIdentifierBytesMax + 1, 'a')),
            "error: app_user_id: longer than 256 bytes");
  EXPECT_EQ(Normal("app_user_id", std::string(kIdentifierBytesMax, 'a')),
            std::string(kIdentifierBytesMax, 'a'));
  EXPECT_EQ(Normal("device_id", std::string("a\0b", 3)),
            "error: device_id: contains a control character");
  EXPECT_EQ(Normal("nope", "x"), "error: type: unknown identifier type 'nope'");
}

TEST(IdentifierTypes, AddValidatesCustomTypes) {
  IdentifierTypes types;
  EXPECT_TRUE(types.Add({"loyalty_card", 60, Cardinality::kMany}).ok());
  EXPECT_EQ(types.Find("loyalty_card")->strength, 60);
  EXPECT_EQ(*types.Normalize("loyalty_card", " LC-1 "), "LC-1");

  auto field_of = [&](IdentifierType type) { return types.Add(std::move(type)).field(); };
  EXPECT_EQ(field_of({"Loyalty", 60}), "name");
  EXPECT_EQ(field_of({"", 60}), "name");
  EXPECT_EQ(field_of({std::string(33, 'a'), 60}), "name");
  EXPECT_EQ(field_of({"phone", 60}), "name");
  EXPECT_EQ(field_of({"loyalty_card", 60}), "name");
  EXPECT_EQ(field_of({"x", 0}), "strength");
  EXPECT_EQ(field_of({"x", 101}), "strength");
  EXPECT_EQ(field_of({"x", 20, Cardinality::kOnePerPerson}), "cardinality");
  IdentifierType bytes{"x", 50};
  bytes.value_bytes_max = kIdentifierBytesMax + 1;
  EXPECT_EQ(field_of(bytes), "value_bytes_max");
  IdentifierType normalised{"x", 50};
  normalised.normalization = Normalization::kPhone;
  EXPECT_EQ(field_of(normalised), "normalization");
}

TEST(IdentifierTypes, OnePerPersonTypesAreBounded) {
  IdentifierTypes types;  // cust_no and id_card hold two of the bits
  for (size_t i = 2; i < kOnePerPersonTypesMax; ++i) {
    ASSERT_TRUE(types.Add({"card_" + std::to_string(i), 90, Cardinality::kOnePerPerson}).ok());
  }
  const Status full = types.Add({"one_too_many", 90, Cardinality::kOnePerPerson});
  EXPECT_EQ(full.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(full.field(), "cardinality");
  EXPECT_EQ(types.OnePerPersonBit(*types.IndexOf("card_7")), 7);
}

TEST(IdentifierTypes, TheNumberOfTypesIsBounded) {
  IdentifierTypes types;
  Status status;
  for (size_t i = 0; status.ok(); ++i) status = types.Add({"t" + std::to_string(i), 50});
  EXPECT_EQ(status.code(), StatusCode::kTooLarge);
  EXPECT_EQ(types.size(), kIdentifierTypesMax);
}

}  // namespace
}  // namespace banyan::identity
