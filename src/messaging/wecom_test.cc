// The wecom plugin against a loopback fake WeCom API: the access token (cached, refreshed on
// 40014/42001), the exact add_msg_template task sent as the customer's relationship manager,
// result polling (get_groupmsg_send_result → delivered / failed), the one-per-day cap, fallback,
// and configuration errors.

#include <gtest/gtest.h>

#include "tests/messaging/fake_provider.h"
#include "tests/messaging/messaging_fixture.h"

namespace banyan::messaging {
namespace {

using testing::FakeProvider;

constexpr std::string_view kToken = "/cgi-bin/gettoken";
constexpr std::string_view kAdd = "/cgi-bin/externalcontact/add_msg_template";
constexpr std::string_view kResult = "/cgi-bin/externalcontact/get_groupmsg_send_result";

std::string ResultBody(int status) {
  return fmt::format(
      R"({{"errcode":0,"errmsg":"ok","next_cursor":"","send_list":[{{"external_userid":"wmEXT1",
          "chat_id":"","userid":"zhangsan","status":{},"send_time":1767232900}}]}})",
      status);
}

class WecomTest : public testing::MessagingFixture {
 protected:
  void SetUp() override {
    MessagingFixture::SetUp();
    one_id_ = Customer("u1", "13812341234");
    Send(
        Json{{"type", "identify"},
             {"userId", "u1"},
             {"messageId", "id-u1-wecom"},
             {"traits", {{"wecom_external_userid", "wmEXT1"}, {"relationship_manager", "rm.xixi"}}}}
            .dump());
    ASSERT_TRUE(service_->Flush().ok());
    AliyunSmsChannel(sms_.Url("/"), "cb");
    Channel("wecom", "wecom",
            {{"corp_id", "ww-corp"},
             {"secret", "wc-secret"},
             {"api_base", wecom_.Url("")},
             {"senders", {{"7", "zhangsan"}}},
             {"fallback", "sms"}});
    note_ = Template("note", "any", Purpose::kService,
                     {{"text", "您好，您的理财产品将于{{date}}到期"},
                      {"link", {{"title", "到期提醒"}, {"url", "https://bank.example/m"}}},
                      {"template_code", "SMS_100"},
                      {"params", {{"date", "{{date}}"}}}},
                     {{{"name", "date"}, {"type", "date"}}});
  }
  SendRequest Note(int64_t one_id) {
    SendRequest r;
    r.one_id = one_id;
    r.channel = "wecom";
    r.template_id = note_;
    r.variables = {{"date", "2026-02-01"}};
    return r;
  }
  std::vector<testing::Recorded> To(std::string_view path) {
    std::vector<testing::Recorded> out;
    for (auto& r : wecom_.Requests()) {
      if (r.path == path) out.push_back(r);
    }
    return out;
  }

  FakeProvider wecom_{
      {std::string(kToken), std::string(kAdd), std::string(kResult)},
      R"({"errcode":0,"errmsg":"ok","access_token":"WT-1","expires_in":7200,"fail_list":[],
          "msgid":"msgGC1"})"};
  FakeProvider sms_{{"/"}, R"({"Code":"OK","BizId":"biz-1"})"};
  int64_t one_id_ = 0;
  int64_t note_ = 0;
};

TEST_F(WecomTest, TaskIsCreatedAsTheRelationshipManagerWithTheExactRequests) {
  const Message m = Accept("k1", Note(one_id_));
  EXPECT_EQ(m.state, MessageState::kQueued);
  Drain();
  const auto requests = wecom_.Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].path, kToken);
  EXPECT_EQ(requests[0].query, "corpid=ww-corp&corpsecret=wc-secret");
  EXPECT_EQ(requests[1].method, "POST");
  EXPECT_EQ(requests[1].path, kAdd);
  EXPECT_EQ(requests[1].query, "access_token=WT-1");
  EXPECT_EQ(Json::parse(requests[1].body),
            Json({{"chat_type", "single"},
                  {"external_userid", {"wmEXT1"}},
                  {"sender", "zhangsan"},
                  {"allow_select", false},
                  {"text", {{"content", "您好，您的理财产品将于2026-02-01到期"}}},
                  {"attachments",
                   {{{"msgtype", "link"},
                     {"link", {{"title", "到期提醒"}, {"url", "https://bank.example/m"}}}}}}}));
  const Json got = Get(m.id);
  EXPECT_EQ(got["state"], "sent");
  EXPECT_EQ(got["provider_message_id"], "msgGC1:zhangsan");
  EXPECT_EQ(got["attempts"][0]["detail"], "task created");
}

TEST_F(WecomTest, PollingMovesTheMessageOnceTheManagerConfirms) {
  const Message m = Accept("k1", Note(one_id_));
  Drain();
  wecom_.SetOkBody(ResultBody(0));  // not confirmed yet
  ASSERT_EQ(*messaging_->PollOnce(), 0);
  EXPECT_EQ(State(m.id), "sent");
  wecom_.SetOkBody(ResultBody(1));
  ASSERT_EQ(*messaging_->PollOnce(), 1);
  EXPECT_EQ(State(m.id), "delivered");
  ASSERT_EQ(*messaging_->PollOnce(), 0);  // delivered: not asked again
  const auto polls = To(kResult);
  ASSERT_EQ(polls.size(), 2u);
  EXPECT_EQ(polls[0].query, "access_token=WT-1");
  EXPECT_EQ(Json::parse(polls[0].body),
            Json({{"msgid", "msgGC1"}, {"userid", "zhangsan"}, {"limit", 1000}}));
  EXPECT_EQ(To(kToken).size(), 1u);  // the token is cached across send and polls
}

TEST_F(WecomTest, ACustomerWhoAlreadyGotAGroupSendTodayIsFailed) {
  const Message m = Accept("k1", Note(one_id_));
  Drain();
  wecom_.SetOkBody(ResultBody(3));
  ASSERT_EQ(*messaging_->PollOnce(), 1);
  EXPECT_EQ(State(m.id), "failed");
}

TEST_F(WecomTest, InvalidOrExpiredTokensAreFetchedAgain) {
  Accept("k1", Note(one_id_));
  wecom_.FailNext(1, 200, R"({"access_token":"WT-1","expires_in":7200})");  // the token
  wecom_.FailNext(1, 200, R"({"errcode":40014,"errmsg":"invalid access_token"})");
  wecom_.FailNext(1, 200, R"({"access_token":"WT-2","expires_in":7200})");
  Drain();
  wecom_.FailNext(1, 200, R"({"errcode":42001,"errmsg":"access_token expired"})");
  wecom_.FailNext(1, 200, R"({"access_token":"WT-3","expires_in":7200})");
  wecom_.FailNext(1, 200, ResultBody(1));
  ASSERT_EQ(*messaging_->PollOnce(), 1);
  const auto requests = wecom_.Requests();
  ASSERT_EQ(requests.size(), 7u);  // token, add (40014), token, add, poll (42001), token, poll
  EXPECT_EQ(requests[2].path, kToken);
  EXPECT_EQ(requests[3].query, "access_token=WT-2");
  EXPECT_EQ(requests[5].path, kToken);
  EXPECT_EQ(requests[6].path, kResult);
  EXPECT_EQ(requests[6].query, "access_token=WT-3");
}

TEST_F(WecomTest, OneMessagePerCustomerPerDayIsEnforced) {
  EXPECT_EQ(Accept("k1", Note(one_id_)).state, MessageState::kQueued);
  const Message second = Accept("k2", Note(one_id_));
  EXPECT_EQ(second.state, MessageState::kRefused);
  EXPECT_EQ(second.reason,
            "channel_cap: channel wecom allows 1 message(s) per customer per day; 1 already today");
  // Accepted for tomorrow, then both due together (the dispatcher was down): the first goes,
  // the second is refused at send time.
  SendRequest tomorrow = Note(one_id_);
  tomorrow.send_at = clock_.Now() + std::chrono::hours(24);
  const Message early = Accept("k3", tomorrow);
  EXPECT_EQ(early.state, MessageState::kQueued);
  clock_.Advance(std::chrono::hours(24));
  Drain();
  const std::string capped =
      "channel_cap: channel wecom allows 1 message(s) per customer per day; 1 already today";
  EXPECT_EQ(Get(early.id)["reason"], capped);
  // Handed over today counts too.
  const Message late = Accept("k4", Note(one_id_));
  EXPECT_EQ(late.state, MessageState::kQueued);
  Drain();
  EXPECT_EQ(Get(late.id)["reason"], capped);
  EXPECT_EQ(To(kAdd).size(), 1u);
}

TEST_F(WecomTest, NoSenderOrNotAContactFallsBackToSms) {
  const int64_t other = Customer("u2", "13900001111");
  Send(Json{{"type", "identify"},
            {"userId", "u2"},
            {"messageId", "id-u2-wecom"},
            {"traits", {{"wecom_external_userid", "wmEXT2"}}}}
           .dump());
  ASSERT_TRUE(service_->Flush().ok());
  const Message no_rm = Accept("k1", Note(other));
  wecom_.FailNext(1, 200, R"({"access_token":"WT-1","expires_in":7200})");
  wecom_.FailNext(1, 200, R"({"errcode":0,"fail_list":["wmEXT1"],"msgid":"msgX"})");
  const Message not_contact = Accept("k2", Note(one_id_));
  Drain();
  Json got = Get(no_rm.id);
  EXPECT_EQ(got["channel"], "sms");
  EXPECT_EQ(got["attempts"][0]["outcome"], "fallback");
  EXPECT_EQ(got["attempts"][0]["detail"],
            "the customer has no relationship manager and no default_sender is configured");
  got = Get(not_contact.id);
  EXPECT_EQ(got["channel"], "sms");
  EXPECT_EQ(got["attempts"][0]["detail"], "the customer is not a WeCom contact of zhangsan");
  EXPECT_EQ(sms_.Count(), 2u);
}

TEST_F(WecomTest, ConfigurationIsValidatedAndTheSecretRedacted) {
  EXPECT_EQ((*messaging_->GetChannel("wecom"))["config"]["secret"], "********");
  auto put = [&](Json config) {
    return messaging_->PutChannel(auth::Principal::System(), "wecom2", "wecom", config, true)
        .status();
  };
  const Json good = {{"corp_id", "ww"}, {"secret", "s"}, {"default_sender", "lisi"}};
  EXPECT_TRUE(put(good).ok());
  Json unknown = good;
  unknown["agent_id"] = 1000002;
  EXPECT_EQ(put(unknown).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(put(unknown).field(), "/config/agent_id");
  Json no_sender = good;
  no_sender.erase("default_sender");
  EXPECT_EQ(put(no_sender).field(), "/config/senders");
  Json bad_staff = good;
  bad_staff["senders"] = {{"rm.xixi", "zhangsan"}};
  EXPECT_EQ(put(bad_staff).field(), "/config/senders/rm.xixi");
  Json no_secret = good;
  no_secret.erase("secret");
  EXPECT_EQ(put(no_secret).field(), "/config/secret");
}

}  // namespace
}  // namespace banyan::messaging
