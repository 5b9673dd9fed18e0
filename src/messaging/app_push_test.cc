// The app_push plugin against a loopback fake push gateway: the exact request (every device of
// the customer, auth header, idempotency id), receipts, retry, fallback when every token is
// refused, and configuration errors.

#include <gtest/gtest.h>

#include "tests/messaging/fake_provider.h"
#include "tests/messaging/messaging_fixture.h"

namespace banyan::messaging {
namespace {

using testing::FakeProvider;

class AppPushTest : public testing::MessagingFixture {
 protected:
  void SetUp() override {
    MessagingFixture::SetUp();
    one_id_ = Customer("u1", "13812341234");
    // Two devices (phone and tablet) seen for the same user.
    for (const char* device : {"dev-phone-1", "dev-tablet-2"}) {
      Send(Json{{"type", "identify"},
                {"userId", "u1"},
                {"messageId", std::string("id-") + device},
                {"context", {{"device", {{"id", device}}}}}}
               .dump());
    }
    ASSERT_TRUE(service_->Flush().ok());
    env_["PUSH_TOKEN"] = "gw-secret-7";
    OpenMessaging();
    AliyunSmsChannel(sms_.Url("/"), "cb");
    Channel("app", "app_push",
            {{"url", gateway_.Url("/v1/push")},
             {"token", {{"env", "PUSH_TOKEN"}}},
             {"callback_token", "push-cb"},
             {"fallback", "sms"}});
    alert_ = Template("alert", "any", Purpose::kService,
                      {{"title", "账户动账提醒"},
                       {"text", "您的账户支出 {{amount}} 元"},
                       {"url", "bank://account/statement"},
                       {"template_code", "SMS_100"},
                       {"params", {{"amount", "{{amount}}"}}}},
                      {{{"name", "amount"}, {"type", "amount"}}});
  }
  SendRequest Alert() {
    SendRequest r;
    r.one_id = one_id_;
    r.channel = "app";
    r.template_id = alert_;
    r.variables = {{"amount", "88.00"}};
    return r;
  }
  http::Request Callback(std::string body, std::string token = "push-cb") {
    http::Request request;
    request.method = http::Method::kPost;
    request.headers.Set("X-Banyan-Token", std::move(token));
    request.body = std::move(body);
    return request;
  }

  FakeProvider gateway_{{"/v1/push"}, R"({"message_id":"push-501","failed_tokens":[]})"};
  FakeProvider sms_{{"/"}, R"({"Code":"OK","BizId":"biz-1"})"};
  int64_t one_id_ = 0;
  int64_t alert_ = 0;
};

TEST_F(AppPushTest, GatewayReceivesTheExactRequestForEveryDevice) {
  const Message m = Accept("k1", Alert());
  Drain();
  const auto requests = gateway_.Requests();
  ASSERT_EQ(requests.size(), 1u);
  const std::string id = fmt::format("banyan-msg-{}", m.id);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].path, "/v1/push");
  EXPECT_EQ(requests[0].Header("Authorization"), "Bearer gw-secret-7");
  EXPECT_EQ(requests[0].Header("Idempotency-Key"), id);
  EXPECT_EQ(requests[0].Header("Content-Type"), "application/json");
  const Json body = Json::parse(requests[0].body);
  EXPECT_EQ(body, Json({{"id", id},
                        {"tokens", body["tokens"]},
                        {"title", "账户动账提醒"},
                        {"body", "您的账户支出 88.00 元"},
                        {"deep_link", "bank://account/statement"},
                        {"purpose", "service"}}));
  std::vector<std::string> tokens = body["tokens"];
  std::sort(tokens.begin(), tokens.end());
  EXPECT_EQ(tokens, (std::vector<std::string>{"dev-phone-1", "dev-tablet-2"}));
  const Json got = Get(m.id);
  EXPECT_EQ(got["state"], "sent");
  EXPECT_EQ(got["provider_message_id"], "push-501");
  EXPECT_EQ(sms_.Count(), 0u);
}

TEST_F(AppPushTest, ReceiptsAuthenticatedByTheCallbackTokenMoveTheMessage) {
  const Message m = Accept("k1", Alert());
  Drain();
  EXPECT_EQ(messaging_->HandleInbound("app", Callback("[]", "wrong")).status().code(),
            StatusCode::kUnauthenticated);
  const std::string read = R"([{"message_id":"push-501","status":"read","event_id":"e1"}])";
  ASSERT_TRUE(messaging_->HandleInbound("app", Callback(read)).ok());
  ASSERT_TRUE(messaging_->HandleInbound("app", Callback(read)).ok());  // delivered twice
  // A late "delivered" never moves a read message back.
  ASSERT_TRUE(messaging_
                  ->HandleInbound("app", Callback(R"({"message_id":"push-501","status":"delivered",
                                                     "event_id":"e0"})"))
                  .ok());
  EXPECT_EQ(State(m.id), "read");
  EXPECT_EQ(messaging_->HandleInbound("app", Callback(R"([{"message_id":"x","status":"sent"}])"))
                .status()
                .code(),
            StatusCode::kInvalidArgument);
}

TEST_F(AppPushTest, GatewayFailuresRetryWithTheSameIdThenSend) {
  gateway_.FailNext(1, 503);
  gateway_.FailNext(1, 429);
  const Message m = Accept("k1", Alert());
  Drain();
  EXPECT_EQ(State(m.id), "queued");
  clock_.Advance(std::chrono::milliseconds(1300));
  Drain();
  EXPECT_EQ(State(m.id), "queued");
  clock_.Advance(std::chrono::milliseconds(2500));
  Drain();
  const Json got = Get(m.id);
  EXPECT_EQ(got["state"], "sent");
  ASSERT_EQ(got["attempts"].size(), 3u);
  EXPECT_EQ(got["attempts"][0]["outcome"], "retry");
  EXPECT_EQ(got["attempts"][0]["detail"], "HTTP 503");
  EXPECT_EQ(got["attempts"][1]["detail"], "HTTP 429");
  const auto requests = gateway_.Requests();
  ASSERT_EQ(requests.size(), 3u);
  for (const auto& r : requests) {
    EXPECT_EQ(Json::parse(r.body)["id"], fmt::format("banyan-msg-{}", m.id));
  }
}

TEST_F(AppPushTest, EveryTokenRefusedFallsBackToSms) {
  gateway_.FailNext(1, 200,
                    R"({"message_id":"push-9","failed_tokens":["dev-phone-1","dev-tablet-2"]})");
  const Message m = Accept("k1", Alert());
  Drain();
  const Json got = Get(m.id);
  EXPECT_EQ(got["state"], "sent");
  EXPECT_EQ(got["channel"], "sms");
  EXPECT_EQ(got["attempts"][0]["outcome"], "fallback");
  EXPECT_EQ(got["attempts"][0]["detail"], "the gateway refused all 2 device tokens");
  EXPECT_EQ(sms_.Count(), 1u);
}

TEST_F(AppPushTest, TokenIsRedactedAndConfigErrorsNameTheMember) {
  EXPECT_EQ((*messaging_->GetChannel("app"))["config"]["token"], Json({{"env", "PUSH_TOKEN"}}));
  auto put = [&](Json config) {
    return messaging_->PutChannel(auth::Principal::System(), "app2", "app_push", config, true)
        .status();
  };
  const Json good = {{"url", gateway_.Url("/v1/push")}, {"token", "t"}, {"callback_token", "c"}};
  EXPECT_TRUE(put(good).ok());
  EXPECT_EQ((*messaging_->GetChannel("app2"))["config"]["token"], "********");
  Json unknown = good;
  unknown["topic"] = "x";
  EXPECT_EQ(put(unknown).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(put(unknown).field(), "/config/topic");
  Json no_token = good;
  no_token.erase("token");
  EXPECT_EQ(put(no_token).field(), "/config/token");
  Json bad_header = good;
  bad_header["auth_header"] = "X Bad";
  EXPECT_EQ(put(bad_header).field(), "/config/auth_header");
}

}  // namespace
}  // namespace banyan::messaging
