#include "events/c3_filter.h"

#include <gtest/gtest.h>

#include "events/internal/wire_json.h"

namespace banyan::events {
namespace {

// Writes `json` through the filter, as the decoders do.
std::string Filtered(const C3Filter& filter, std::string_view json, C3Counts* counts) {
  internal::WireJsonParser parser(1 << 20);
  auto root = parser.Parse(json);
  EXPECT_TRUE(root.ok()) << root.status().ToString();
  std::string out;
  internal::JsonWriter(&filter, counts).Value(*root, &out);
  return out;
}

TEST(C3Filter, DefaultRulesMatchNormalisedNames) {
  const C3Filter& filter = C3Filter::Default();
  for (const char* name :
       {"password", "PASSWORD",      "loginPassword", "trade_password", "pwd",
        "new_pwd",  "pin",           "card_pin",      "atmPin",         "cvv",
        "CVV2",     "card-cvv2",     "cvc",           "$card_track",    "track1",
        "Track2",   "track_data",    "otp",           "login_otp",      "sms_code",
        "smsCode",  "security_code", "verify_code"}) {
    EXPECT_NE(filter.MatchName(name), nullptr) << name;
  }
  for (const char* name : {"amount", "pinyin_name", "shipping", "page", "path", "campaign", "track",
                           "tracking_id", "opinion", "product_code", "cv", "code"}) {
    EXPECT_EQ(filter.MatchName(name), nullptr) << name;
  }
  EXPECT_EQ(*filter.MatchName("my_password_hint"), "*password*");
}

TEST(C3Filter, StripsAtAnyDepthAndCountsByRule) {
  C3Counts counts;
  const std::string out =
      Filtered(C3Filter::Default(),
               R"({"a":1,"password":"x","card":{"number_masked":"6222****1234","cvv2":"123",
                  "holders":[{"name":"Li","pin":"0000"},{"pin":"1111"}]},"list":[[{"otp":"1"}]]})",
               &counts);
  EXPECT_EQ(
      out,
      R"({"a":1,"card":{"number_masked":"6222****1234","holders":[{"name":"Li"},{}]},"list":[[{}]]})");
  EXPECT_EQ(counts.Get("password"), 1);
  EXPECT_EQ(counts.Get("cvv2"), 1);
  EXPECT_EQ(counts.Get("pin"), 2);
  EXPECT_EQ(counts.Get("otp"), 1);
  EXPECT_EQ(counts.total(), 5);
}

TEST(C3Filter, StripsMagneticStripeValues) {
  EXPECT_TRUE(LooksLikeTrackData(";6222021234567890123=25121010000012345678?"));
  EXPECT_TRUE(LooksLikeTrackData("6222021234567890=2512101123456"));
  EXPECT_TRUE(LooksLikeTrackData("%B6222021234567890^LI/WEI^2512101000000000000?"));
  EXPECT_FALSE(LooksLikeTrackData("6222021234567890"));
  EXPECT_FALSE(LooksLikeTrackData("a=b&c=d&utm_source=wechat&x=1"));
  EXPECT_FALSE(LooksLikeTrackData("2026-11-22T02:30:00.000Z"));
  C3Counts counts;
  EXPECT_EQ(Filtered(C3Filter::Default(),
                     R"({"raw":";6222021234567890123=25121010000012345678?","ok":"fine",
                        "swipes":["x","6222021234567890=2512101123456"]})",
                     &counts),
            R"({"ok":"fine","swipes":["x"]})");
  EXPECT_EQ(counts.Get(kTrackDataValueRule), 2);
}

TEST(C3Filter, ConfiguredRulesAndRegexes) {
  C3FilterConfig config;
  config.names = {"id_card_cvn"};
  config.globs = {"secret_?", "tok*n"};
  config.regexes = {"^x-.*-key$"};
  config.strip_track_data_values = false;
  auto filter = C3Filter::Create(config);
  ASSERT_TRUE(filter.ok()) << filter.status().ToString();
  EXPECT_NE(filter->MatchName("ID-Card-CVN"), nullptr);
  EXPECT_NE(filter->MatchName("secret_a"), nullptr);
  EXPECT_EQ(filter->MatchName("secret_ab"), nullptr);
  EXPECT_NE(filter->MatchName("token"), nullptr);
  EXPECT_EQ(*filter->MatchName("X-Api-Key"), "^x-.*-key$");
  EXPECT_EQ(filter->MatchName("password"), nullptr);  // the defaults are not implied
  EXPECT_FALSE(filter->IsTrackDataValue(";6222021234567890123=25121010000012345678?"));
}

TEST(C3Filter, RejectsBadConfig) {
  C3FilterConfig bad_regex;
  bad_regex.regexes = {"(unclosed"};
  EXPECT_EQ(C3Filter::Create(bad_regex).status().code(), StatusCode::kInvalidArgument);
  C3FilterConfig empty;
  empty.names = {""};
  EXPECT_FALSE(C3Filter::Create(empty).ok());
  C3FilterConfig separators_only;
  separators_only.names = {"__"};
  EXPECT_FALSE(C3Filter::Create(separators_only).ok());
  C3FilterConfig too_many;
  too_many.names.assign(kC3RulesMax + 1, "x");
  EXPECT_FALSE(C3Filter::Create(too_many).ok());
}

}  // namespace
}  // namespace banyan::events
