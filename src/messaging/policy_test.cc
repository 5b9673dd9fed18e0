#include "messaging/policy.h"

#include <gtest/gtest.h>

#include "base/testing/manual_clock.h"

namespace banyan::messaging {
namespace {

using privacy::ConsentState;
using privacy::Purpose;

// 2026-11-23 10:00 in Shanghai (02:00 UTC), a Monday.
Timestamp ShanghaiTime(int hour, int minute = 0) {
  return FromUnixMicros((1795399200LL + (hour - 10) * 3600LL + minute * 60LL) * 1'000'000);
}

class PolicyTest : public ::testing::Test {
 protected:
  PolicyTest()
      : clock_(ShanghaiTime(10)), gate_({}, *BusinessCalendar::Create("Asia/Shanghai"), clock_) {}

  PolicyFacts Marketing(std::string channel = "sms") {
    PolicyFacts facts;
    facts.purpose = messaging::Purpose::kMarketing;
    facts.channel = channel;
    facts.consent_channel = channel;
    facts.consents = consents_;
    return facts;
  }
  void Grant(Purpose purpose, std::string channel, bool granted, int at = 1) {
    consents_.push_back({purpose, std::move(channel), granted, FromUnixMicros(at), "test", at});
  }

  testing::ManualClock clock_;
  PolicyGate gate_;
  std::vector<ConsentState> consents_;
};

TEST_F(PolicyTest, ShanghaiTimeHelperIsTenInTheMorning) {
  EXPECT_EQ(BusinessCalendar::Create("Asia/Shanghai")->MinuteOfDay(ShanghaiTime(10)), 600);
}

TEST_F(PolicyTest, ServiceMessagesNeedNoMarketingConsent) {
  PolicyFacts facts = Marketing();
  facts.purpose = messaging::Purpose::kService;
  EXPECT_EQ(gate_.Check(facts).verdict, Verdict::kAllow);
}

TEST_F(PolicyTest, MarketingWithoutConsentIsRefusedWithReason) {
  const Decision d = gate_.Check(Marketing());
  EXPECT_EQ(d.verdict, Verdict::kRefuse);
  EXPECT_EQ(d.rule, "consent");
  EXPECT_EQ(d.reason, "consent: no marketing consent on sms");
}

TEST_F(PolicyTest, MarketingWithChannelConsentIsAllowed) {
  Grant(Purpose::kMarketing, "sms", true);
  EXPECT_EQ(gate_.Check(Marketing()).verdict, Verdict::kAllow);
  EXPECT_EQ(gate_.Check(Marketing("email")).rule, "consent");
}

TEST_F(PolicyTest, ChannelThatDoesNotCarryThePurposeRefusesFirst) {
  Grant(Purpose::kMarketing, "all", true);
  PolicyFacts facts = Marketing("wechat");
  facts.channel_carries_purpose = false;
  const Decision d = gate_.Check(facts);
  EXPECT_EQ(d.rule, "purpose");
  EXPECT_EQ(d.reason, "purpose: channel wechat does not carry marketing messages");
}

TEST_F(PolicyTest, PersonalisedMarketingRefusedAfterOptOutOnly) {
  Grant(Purpose::kMarketing, "all", true);
  PolicyFacts facts = Marketing();
  facts.personalised = true;
  EXPECT_EQ(gate_.Check(facts).verdict, Verdict::kAllow);  // no fact: opt-out purpose allows
  Grant(Purpose::kPersonalisedMarketing, "all", false, 2);
  facts.consents = consents_;
  EXPECT_EQ(gate_.Check(facts).rule, "personalised_marketing");
  facts.personalised = false;
  EXPECT_EQ(gate_.Check(facts).verdict, Verdict::kAllow);
}

TEST_F(PolicyTest, SuppressedAddressIsRefusedEvenForService) {
  PolicyFacts facts = Marketing();
  facts.purpose = messaging::Purpose::kService;
  facts.suppressed = true;
  EXPECT_EQ(gate_.Check(facts).rule, "suppression");
}

TEST_F(PolicyTest, QuietHoursDeferMarketingToNineTheNextMorning) {
  Grant(Purpose::kMarketing, "sms", true);
  clock_.Set(ShanghaiTime(21, 30));
  const Decision d = gate_.Check(Marketing());
  EXPECT_EQ(d.verdict, Verdict::kDefer);
  EXPECT_EQ(d.rule, "quiet_hours");
  EXPECT_EQ(d.defer_until, ShanghaiTime(9) + std::chrono::hours(24));
  clock_.Set(ShanghaiTime(7));
  EXPECT_EQ(gate_.Check(Marketing()).defer_until, ShanghaiTime(9));
  clock_.Set(ShanghaiTime(20));  // the window's end is exclusive
  EXPECT_EQ(gate_.Check(Marketing()).verdict, Verdict::kDefer);
  clock_.Set(ShanghaiTime(9));
  EXPECT_EQ(gate_.Check(Marketing()).verdict, Verdict::kAllow);
}

TEST_F(PolicyTest, QuietHoursDoNotApplyToService) {
  clock_.Set(ShanghaiTime(23));
  PolicyFacts facts = Marketing();
  facts.purpose = messaging::Purpose::kService;
  EXPECT_EQ(gate_.Check(facts).verdict, Verdict::kAllow);
}

TEST_F(PolicyTest, FourthMarketingMessageInSevenDaysIsRefused) {
  Grant(Purpose::kMarketing, "all", true);
  PolicyFacts facts = Marketing();
  facts.marketing_in_window = 2;
  EXPECT_EQ(gate_.Check(facts).verdict, Verdict::kAllow);
  facts.marketing_in_window = 3;
  const Decision d = gate_.Check(facts);
  EXPECT_EQ(d.rule, "frequency_cap");
  EXPECT_EQ(d.reason, "frequency_cap: 3 marketing messages in 7 days already (cap 3)");
}

TEST_F(PolicyTest, RateLimitDefersPastTheBurst) {
  PolicyFacts facts = Marketing();
  facts.purpose = messaging::Purpose::kService;
  facts.channel_rate_per_second = 2;
  EXPECT_EQ(gate_.Check(facts).verdict, Verdict::kAllow);
  EXPECT_EQ(gate_.Check(facts).verdict, Verdict::kAllow);
  const Decision d = gate_.Check(facts);
  EXPECT_EQ(d.rule, "rate_limit");
  EXPECT_EQ(d.defer_until, clock_.Now() + std::chrono::milliseconds(500));
  clock_.Advance(std::chrono::milliseconds(500));
  EXPECT_EQ(gate_.Check(facts).verdict, Verdict::kAllow);
}

TEST_F(PolicyTest, AlreadyHandedOverIsNeverSentAgain) {
  PolicyFacts facts = Marketing();
  facts.purpose = messaging::Purpose::kService;
  facts.already_handed_over = true;
  EXPECT_EQ(gate_.Check(facts).rule, "idempotency");
}

TEST_F(PolicyTest, RulesApplyInTheDocumentedOrder) {
  // Every rule fails at once: consent is reported first.
  PolicyFacts facts = Marketing();
  facts.personalised = true;
  facts.suppressed = true;
  facts.marketing_in_window = 10;
  clock_.Set(ShanghaiTime(23));
  EXPECT_EQ(gate_.Check(facts).rule, "consent");
  Grant(Purpose::kMarketing, "sms", true);
  Grant(Purpose::kPersonalisedMarketing, "sms", false);
  facts.consents = consents_;
  EXPECT_EQ(gate_.Check(facts).rule, "personalised_marketing");
  facts.personalised = false;
  EXPECT_EQ(gate_.Check(facts).rule, "suppression");
  facts.suppressed = false;
  EXPECT_EQ(gate_.Check(facts).rule, "quiet_hours");
  clock_.Set(ShanghaiTime(12));
  EXPECT_EQ(gate_.Check(facts).rule, "frequency_cap");
}

TEST(OptedOut, ChannelGrantOverridesOlderAllWithdrawalButNotNewer) {
  std::vector<ConsentState> states = {
      {Purpose::kPersonalisedMarketing, "all", false, FromUnixMicros(1), "t", 1},
      {Purpose::kPersonalisedMarketing, "sms", true, FromUnixMicros(2), "t", 2}};
  EXPECT_FALSE(OptedOut(states, Purpose::kPersonalisedMarketing, "sms"));
  EXPECT_TRUE(OptedOut(states, Purpose::kPersonalisedMarketing, "email"));
  EXPECT_FALSE(OptedOut({}, Purpose::kPersonalisedMarketing, "sms"));
}

}  // namespace
}  // namespace banyan::messaging
