// The console's reads: the message list (filters, paging, scope) and the stats (by channel, by
// the gate's rule, by day in the bank's zone), over real SQLite and the send API.

#include <gtest/gtest.h>

#include "tests/messaging/fake_provider.h"
#include "tests/messaging/messaging_fixture.h"

namespace banyan::messaging {
namespace {

using testing::FakeProvider;

class ReadsTest : public testing::MessagingFixture {
 protected:
  void SetUp() override {
    MessagingFixture::SetUp();
    AliyunSmsChannel(sms_.Url("/"), "cb");
    one_id_ = Customer("u1", "13812341234");
    otp_ = Template("otp", "sms", Purpose::kService,
                    {{"template_code", "SMS_100"}, {"params", {{"code", "{{code}}"}}}},
                    {{{"name", "code"}}});
    promo_ = Template("promo", "sms", Purpose::kMarketing,
                      {{"template_code", "SMS_200"}, {"params", {{"rate", "{{rate}}"}}}},
                      {{{"name", "rate"}}});
  }
  SendRequest Request(int64_t template_id) {
    SendRequest r;
    r.one_id = one_id_;
    r.channel = "sms";
    r.template_id = template_id;
    r.variables = template_id == otp_ ? Json{{"code", "1"}} : Json{{"rate", "3%"}};
    return r;
  }
  Json List(const MessageListQuery& query, std::string cursor = "",
            const auth::Principal& p = auth::Principal::System()) {
    auto got = messaging_->ListMessages(p, query, cursor);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    return got.ok() ? *got : Json();
  }
  std::vector<int64_t> Ids(const Json& page) {
    std::vector<int64_t> out;
    for (const Json& item : page["items"]) out.push_back(item["id"]);
    return out;
  }
  Json Stats(StatsGroup group, const auth::Principal& p = auth::Principal::System()) {
    StatsQuery q;
    q.from = clock_.Now() - std::chrono::hours(24);
    q.to = clock_.Now() + std::chrono::hours(1);
    q.group_by = group;
    auto got = messaging_->Stats(p, q);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    return got.ok() ? *got : Json();
  }

  FakeProvider sms_{{"/"}, R"({"Code":"OK","BizId":"biz-1"})"};
  int64_t one_id_ = 0, otp_ = 0, promo_ = 0;
};

TEST_F(ReadsTest, ListIsNewestFirstFilteredAndPaged) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(Accept(fmt::format("o{}", i), Request(otp_)).id);
    clock_.Advance(std::chrono::minutes(1));
  }
  const int64_t refused = Accept("p0", Request(promo_)).id;  // no marketing consent
  MessageListQuery q;
  q.limit = 2;
  Json page = List(q);
  EXPECT_EQ(Ids(page), (std::vector<int64_t>{refused, ids[4]}));
  ASSERT_TRUE(page["next_cursor"].is_string());
  page = List(q, page["next_cursor"]);
  EXPECT_EQ(Ids(page), (std::vector<int64_t>{ids[3], ids[2]}));
  page = List(q, page["next_cursor"]);
  EXPECT_EQ(Ids(page), (std::vector<int64_t>{ids[1], ids[0]}));
  EXPECT_TRUE(page["next_cursor"].is_null());  // the last page
  // Each item is the message as GET answers it, without attempts, recipient by OneID only.
  const Json item = List({})["items"][0];
  EXPECT_EQ(item["id"], refused);
  EXPECT_EQ(item["state"], "refused");
  EXPECT_EQ(item["recipient"], Json({{"one_id", one_id_}}));
  EXPECT_FALSE(item.contains("attempts"));
  EXPECT_EQ(item["status_history"].size(), 1u);
  // Filters.
  q = {};
  q.state = MessageState::kRefused;
  EXPECT_EQ(Ids(List(q)), (std::vector<int64_t>{refused}));
  q = {};
  q.purpose = Purpose::kService;
  q.template_id = otp_;
  q.channel = "sms";
  EXPECT_EQ(List(q)["items"].size(), 5u);
  q.channel = "email";
  EXPECT_TRUE(List(q)["items"].empty());
  // The time range: [from, to) on acceptance time.
  q = {};
  q.from = FromUnixMicros(testing::kTenInShanghaiMicros) + std::chrono::minutes(1);
  q.to = FromUnixMicros(testing::kTenInShanghaiMicros) + std::chrono::minutes(3);
  EXPECT_EQ(Ids(List(q)), (std::vector<int64_t>{ids[2], ids[1]}));
  for (std::string_view bad : {"x1", "12x", "0", "-3"}) {
    EXPECT_EQ(messaging_->ListMessages(auth::Principal::System(), {}, bad).status().field(),
              "?cursor")
        << bad;
  }
}

TEST_F(ReadsTest, ListAndStatsSeeOnlyTheCallersScope) {
  const int64_t a = Accept("a", Request(otp_)).id;
  const int64_t b = Accept("b", Request(otp_)).id;
  const int64_t c = Accept("c", Request(otp_)).id;
  // The recipient's branch and RM at acceptance: a in Xixi (2) with RM 7, b in Xixi with
  // another RM, c in West (3).
  ASSERT_TRUE(db_->Write([&](store::Transaction& tx) -> Status {
                   RETURN_IF_ERROR(
                       tx.Execute("UPDATE message SET branch_id = 2, rm_id = 7 WHERE id = ?", {a}));
                   RETURN_IF_ERROR(
                       tx.Execute("UPDATE message SET branch_id = 2, rm_id = 9 WHERE id = ?", {b}));
                   return tx.Execute("UPDATE message SET branch_id = 3, rm_id = NULL WHERE id = ?",
                                     {c});
                 })
                  .ok());
  const auth::Principal rm = customer::testing::Rm();
  const auth::Principal xixi = customer::testing::Manager(2, "/1/2/");
  const auth::Principal hq = customer::testing::Manager(1, "/1/");
  EXPECT_EQ(Ids(List({}, "", rm)), (std::vector<int64_t>{a}));
  EXPECT_EQ(Ids(List({}, "", xixi)), (std::vector<int64_t>{b, a}));
  EXPECT_EQ(Ids(List({}, "", hq)), (std::vector<int64_t>{c, b, a}));
  EXPECT_EQ(Stats(StatsGroup::kChannel, rm)["total"], 1);
  EXPECT_EQ(Stats(StatsGroup::kChannel, xixi)["total"], 2);
  EXPECT_EQ(Stats(StatsGroup::kChannel, hq)["total"], 3);
}

TEST_F(ReadsTest, StatsCountStatesPerChannelRefusalsByRuleAndDays) {
  Accept("o1", Request(otp_));
  Accept("o2", Request(otp_));
  Accept("p1", Request(promo_));  // refused: consent
  Drain();                        // the two OTPs are sent
  Consent(one_id_, "sms", true);
  clock_.Set(FromUnixMicros(testing::kTenInShanghaiMicros) + std::chrono::hours(13));  // 23:00
  Accept("p2", Request(promo_));                                                       // deferred
  const Json by_channel = Stats(StatsGroup::kChannel);
  EXPECT_EQ(by_channel["total"], 4);
  ASSERT_EQ(by_channel["groups"].size(), 1u);
  EXPECT_EQ(by_channel["groups"][0]["channel"], "sms");
  EXPECT_EQ(by_channel["groups"][0]["states"]["sent"], 2);
  EXPECT_EQ(by_channel["groups"][0]["states"]["refused"], 1);
  EXPECT_EQ(by_channel["groups"][0]["states"]["deferred"], 1);
  EXPECT_EQ(by_channel["groups"][0]["states"]["dead"], 0);
  const Json by_reason = Stats(StatsGroup::kReason);
  EXPECT_EQ(by_reason["groups"], Json::parse(R"([{"state":"refused","reason":"consent","count":1},
                            {"state":"deferred","reason":"quiet_hours","count":1}])"));
  // Days in the bank's zone: 10:00 and 23:00 Shanghai on 2026-01-01 are the same day (23:00 is
  // 15:00 UTC).
  const Json by_day = Stats(StatsGroup::kDay);
  ASSERT_EQ(by_day["groups"].size(), 1u);
  EXPECT_EQ(by_day["groups"][0]["day"], "2026-01-01");
  EXPECT_EQ(by_day["groups"][0]["total"], 4);
  EXPECT_EQ(by_day["time_zone"], "Asia/Shanghai");
  // The range is bounded.
  StatsQuery q;
  q.from = clock_.Now() - kStatsRangeMax - std::chrono::hours(1);
  q.to = clock_.Now();
  EXPECT_EQ(messaging_->Stats(auth::Principal::System(), q).status().field(), "?from");
  q.from = q.to;
  EXPECT_EQ(messaging_->Stats(auth::Principal::System(), q).status().field(), "?to");
}

}  // namespace
}  // namespace banyan::messaging
