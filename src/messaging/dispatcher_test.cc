// The send API and the dispatcher end to end over real parts: SQLite, the customer service, the
// SMS plugin (Aliyun- and Tencent-shaped) and the webhook plugin against loopback fake providers.

#include <gtest/gtest.h>

#include <sodium.h>
#include <set>
#include <thread>

#include "messaging/internal/signing.h"
#include "tests/messaging/fake_provider.h"
#include "tests/messaging/messaging_fixture.h"

namespace banyan::messaging {
namespace {

using testing::FakeProvider;
using testing::Recorded;

// The form fields of an x-www-form-urlencoded body, in order.
std::vector<std::pair<std::string, std::string>> Form(const std::string& body) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t at = 0;
  while (at <= body.size()) {
    const size_t amp = std::min(body.find('&', at), body.size());
    const std::string field = body.substr(at, amp - at);
    const size_t eq = field.find('=');
    out.emplace_back(*http::PercentDecode(field.substr(0, eq), false),
                     *http::PercentDecode(field.substr(eq + 1), false));
    at = amp + 1;
  }
  return out;
}

std::string Field(const std::vector<std::pair<std::string, std::string>>& form,
                  std::string_view name) {
  for (const auto& [n, v] : form) {
    if (n == name) return v;
  }
  return "<missing>";
}

class DispatcherTest : public testing::MessagingFixture {
 protected:
  void SetUp() override {
    MessagingFixture::SetUp();
    AliyunSmsChannel(sms_.Url("/"), "cb-token");
    sms_.SetCheck(testing::AliyunSignatureCheck("secret-1"));  // refuses a wrong signature
    one_id_ = Customer("u1", "13812341234");
    otp_ = Template("otp", "sms", Purpose::kService,
                    {{"template_code", "SMS_100"},
                     {"params", {{"code", "{{code}}"}}},
                     {"text", "您的验证码是{{code}}"}},
                    {{{"name", "code"}}});
    promo_ = Template("promo", "sms", Purpose::kMarketing,
                      {{"template_code", "SMS_200"}, {"params", {{"rate", "{{rate}}"}}}},
                      {{{"name", "rate"}}});
  }

  SendRequest Otp(std::string code = "1234") {
    SendRequest r;
    r.one_id = one_id_;
    r.channel = "sms";
    r.template_id = otp_;
    r.variables = {{"code", code}};
    return r;
  }
  SendRequest Promo() {
    SendRequest r;
    r.one_id = one_id_;
    r.channel = "sms";
    r.template_id = promo_;
    r.variables = {{"rate", "3.1%"}};
    return r;
  }
  http::Request Callback(std::string body, std::string token = "cb-token") {
    http::Request request;
    request.method = http::Method::kPost;
    request.headers.Set("X-Banyan-Token", std::move(token));
    request.body = std::move(body);
    return request;
  }

  FakeProvider sms_{{"/"}, R"({"Code":"OK","BizId":"biz-1","RequestId":"r"})"};
  int64_t one_id_ = 0;
  int64_t otp_ = 0;
  int64_t promo_ = 0;
};

TEST_F(DispatcherTest, AliyunProviderReceivesTheExactSignedRequest) {
  const Message m = Accept("k1", Otp());
  EXPECT_EQ(m.state, MessageState::kQueued);
  Drain();
  ASSERT_EQ(sms_.Count(), 1u);
  const Recorded request = sms_.Requests()[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.Header("Content-Type"), "application/x-www-form-urlencoded");
  auto form = Form(request.body);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"AccessKeyId", "LTAI-test"},
      {"Action", "SendSms"},
      {"Format", "JSON"},
      {"OutId", fmt::format("banyan-msg-{}", m.id)},
      {"PhoneNumbers", "13812341234"},
      {"SignName", "榕树银行"},
      {"SignatureMethod", "HMAC-SHA1"},
      {"SignatureNonce", fmt::format("banyan-msg-{}-2026-01-01T02:00:00Z", m.id)},
      {"SignatureVersion", "1.0"},
      {"TemplateCode", "SMS_100"},
      {"TemplateParam", R"({"code":"1234"})"},
      {"Timestamp", "2026-01-01T02:00:00Z"},
      {"Version", "2017-05-25"}};
  ASSERT_EQ(form.size(), expected.size() + 1);
  const std::string signature = form.back().second;
  EXPECT_EQ(form.back().first, "Signature");
  form.pop_back();
  EXPECT_EQ(form, expected);
  // The fake provider checked the signature as Aliyun does (tests/messaging/aliyun_verify.py)
  // and accepted it; here, the signature of the same fields under another secret differs.
  EXPECT_EQ(signature, internal::AliyunRpcSignature("POST", expected, "secret-1"));
  EXPECT_NE(signature, internal::AliyunRpcSignature("POST", expected, "secret-2"));
  const Json got = Get(m.id);
  EXPECT_EQ(got["state"], "sent");
  EXPECT_EQ(got["provider_message_id"], "biz-1");
  EXPECT_EQ(got["recipient"]["address"], "138****1234");  // masked
  ASSERT_EQ(got["attempts"].size(), 1u);
  EXPECT_EQ(got["attempts"][0]["outcome"], "ok");
  EXPECT_EQ(got["status_history"].size(), 2u);  // queued, sent
}

TEST_F(DispatcherTest, AliyunRefusesARequestSignedWithTheWrongSecret) {
  AliyunSmsChannel(sms_.Url("/"), "cb-token", "not-the-secret");
  const Message m = Accept("k1", Otp());
  Drain();
  ASSERT_EQ(sms_.Count(), 1u);
  const Json got = Get(m.id);
  EXPECT_EQ(got["state"], "dead");  // a 400 is permanent; there is no fallback
  EXPECT_EQ(got["attempts"][0]["detail"], "HTTP 400 SignatureDoesNotMatch");
}

TEST_F(DispatcherTest, ASecretFromAnUnsetVariableIsRefusedNamingTheMember) {
  auto put = messaging_->PutChannel(auth::Principal::System(), "sms2", "sms",
                                    {{"provider", "tencent"},
                                     {"endpoint", "https://sms.tencentcloudapi.com/"},
                                     {"access_key_id", "AKID-t"},
                                     {"access_key_secret", {{"env", "TENCENT_SECRET"}}},
                                     {"sign_name", "榕树银行"},
                                     {"sdk_app_id", "1400000001"},
                                     {"callback_token", "cb"}},
                                    true);
  EXPECT_EQ(put.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(put.status().field(), "/config/access_key_secret");
  EXPECT_EQ(put.status().message(), "environment variable TENCENT_SECRET is not set");
}

TEST_F(DispatcherTest, PlainHttpToARealHostIsRefused) {
  auto put = messaging_->PutChannel(auth::Principal::System(), "hook", "webhook",
                                    {{"url", "http://provider.example/send"},
                                     {"address_type", "phone"},
                                     {"body", Json::object()}},
                                    true);
  EXPECT_EQ(put.status().field(), "/config/url");
}

TEST_F(DispatcherTest, TencentSecretFromEnvironmentAndExactRequest) {
  env_["TENCENT_SECRET"] = "tc-secret";
  OpenMessaging();  // the service copies the environment when it opens
  FakeProvider tencent({"/"}, R"({"Response":{"SendStatusSet":[{"SerialNo":"sn-9","Code":"Ok"}],
                                 "RequestId":"r"}})");
  Channel("sms", "sms",
          {{"provider", "tencent"},
           {"endpoint", tencent.Url("/")},
           {"access_key_id", "AKID-t"},
           {"access_key_secret", {{"env", "TENCENT_SECRET"}}},
           {"sign_name", "榕树银行"},
           {"sdk_app_id", "1400000001"},
           {"callback_token", "cb"}});
  const Message m = Accept("k1", Otp("9876"));
  Drain();
  ASSERT_EQ(tencent.Count(), 1u);
  const Recorded request = tencent.Requests()[0];
  EXPECT_EQ(Json::parse(request.body),
            Json({{"PhoneNumberSet", {"+8613812341234"}},
                  {"SmsSdkAppId", "1400000001"},
                  {"SignName", "榕树银行"},
                  {"TemplateId", "SMS_100"},
                  {"TemplateParamSet", {"9876"}},
                  {"SessionContext", fmt::format("banyan-msg-{}", m.id)}}));
  EXPECT_EQ(request.Header("X-TC-Action"), "SendSms");
  EXPECT_EQ(request.Header("X-TC-Version"), "2021-01-11");
  EXPECT_EQ(request.Header("X-TC-Timestamp"), "1767232800");
  EXPECT_TRUE(request.Header("Authorization")
                  .starts_with("TC3-HMAC-SHA256 Credential=AKID-t/2026-01-01/sms/tc3_request, "
                               "SignedHeaders=content-type;host, Signature="));
  EXPECT_EQ(Get(m.id)["provider_message_id"], "sn-9");
  // The secret itself is never shown.
  EXPECT_EQ((*messaging_->GetChannel("sms"))["config"]["access_key_secret"],
            Json({{"env", "TENCENT_SECRET"}}));
}

TEST_F(DispatcherTest, ChannelSecretsAreRedacted) {
  const Json shown = *messaging_->GetChannel("sms");
  EXPECT_EQ(shown["config"]["access_key_secret"], "********");
  EXPECT_EQ(shown["config"]["callback_token"], "********");
  EXPECT_EQ(shown["config"]["access_key_id"], "LTAI-test");
}

// The console shows a channel as the API answers it, secrets as "********"; given back, they keep
// the stored secrets, so switching a channel off does not mean typing its secrets again.
TEST_F(DispatcherTest, SecretsGivenBackAsShownKeepTheStoredOnes) {
  const auto before = messaging_->channels().Find("sms");
  ASSERT_TRUE(before);
  Json shown = *messaging_->GetChannel("sms");
  shown["config"]["rate_per_second"] = 5;
  auto put = messaging_->PutChannel(auth::Principal::System(), "sms",
                                    shown["kind"].get<std::string>(), shown["config"], false);
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  EXPECT_EQ((*put)["config"]["access_key_secret"], "********");
  const auto after = messaging_->channels().Find("sms");
  ASSERT_TRUE(after);
  EXPECT_FALSE(after->enabled);
  EXPECT_EQ(after->config["rate_per_second"], 5);
  EXPECT_EQ(after->config["access_key_secret"], before->config["access_key_secret"]);
  EXPECT_EQ(after->config["callback_token"], before->config["callback_token"]);
  EXPECT_NE(after->config["access_key_secret"], "********");

  // Nothing stored to keep: a channel not yet configured, or one of another kind.
  auto fresh =
      messaging_->PutChannel(auth::Principal::System(), "sms3", "sms", shown["config"], true);
  EXPECT_EQ(fresh.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(fresh.status().field(), "/config/access_key_secret");
  auto other = messaging_->PutChannel(auth::Principal::System(), "sms", "webhook",
                                      {{"url", "https://provider.example/send"},
                                       {"address_type", "phone"},
                                       {"body", Json::object()},
                                       {"secret", "********"}},
                                      true);
  EXPECT_EQ(other.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(other.status().field(), "/config/secret");
  EXPECT_EQ(messaging_->channels().Find("sms")->kind, "sms");
}

TEST_F(DispatcherTest, MarketingWithoutConsentIsRefusedWithReason) {
  const Message m = Accept("k1", Promo());
  EXPECT_EQ(m.state, MessageState::kRefused);
  EXPECT_EQ(m.reason, "consent: no marketing consent on sms");
  Drain();
  EXPECT_EQ(sms_.Count(), 0u);
  EXPECT_EQ(State(m.id), "refused");
}

TEST_F(DispatcherTest, MarketingSmsCarriesTheUnsubscribeSuffix) {
  Consent(one_id_, "sms", true);
  const Message m = Accept("k1", Promo());
  Drain();
  ASSERT_EQ(sms_.Count(), 1u);
  EXPECT_EQ(Field(Form(sms_.Requests()[0].body), "TemplateParam"),
            R"({"rate":"3.1%","unsubscribe":"回T退订"})");
  EXPECT_EQ(State(m.id), "sent");
}

TEST_F(DispatcherTest, QuietHoursDeferMarketingUntilNineAndThenSend) {
  Consent(one_id_, "sms", true);
  clock_.Set(FromUnixMicros(testing::kTenInShanghaiMicros) + std::chrono::hours(11));  // 21:00
  const Message m = Accept("k1", Promo());
  EXPECT_EQ(m.state, MessageState::kDeferred);
  const Timestamp nine = FromUnixMicros(testing::kTenInShanghaiMicros) + std::chrono::hours(23);
  EXPECT_EQ(m.next_attempt_at, nine);
  EXPECT_TRUE(m.reason.starts_with("quiet_hours: ")) << m.reason;
  clock_.Set(nine - std::chrono::seconds(1));
  Drain();
  EXPECT_EQ(sms_.Count(), 0u);
  clock_.Set(nine);
  Drain();
  ASSERT_EQ(sms_.Count(), 1u);
  EXPECT_EQ(Field(Form(sms_.Requests()[0].body), "Timestamp"), "2026-01-02T01:00:00Z");
  EXPECT_EQ(State(m.id), "sent");
}

TEST_F(DispatcherTest, FourthMarketingMessageInSevenDaysIsRefused) {
  Consent(one_id_, "sms", true);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Accept(fmt::format("k{}", i), Promo()).state, MessageState::kQueued);
    clock_.Advance(std::chrono::hours(1));
  }
  Drain();
  EXPECT_EQ(sms_.Count(), 3u);
  const Message fourth = Accept("k3", Promo());
  EXPECT_EQ(fourth.state, MessageState::kRefused);
  EXPECT_EQ(fourth.reason, "frequency_cap: 3 marketing messages in 7 days already (cap 3)");
  // Service messages are not capped.
  EXPECT_EQ(Accept("k4", Otp()).state, MessageState::kQueued);
  // Seven days after the first, a marketing message goes again.
  clock_.Set(FromUnixMicros(testing::kTenInShanghaiMicros) + std::chrono::hours(24 * 7));
  EXPECT_EQ(Accept("k5", Promo()).state, MessageState::kRefused);
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_EQ(Accept("k6", Promo()).state, MessageState::kQueued);
}

TEST_F(DispatcherTest, UnsubscribeReplyWithdrawsConsentAndTheNextMarketingIsRefused) {
  Consent(one_id_, "sms", true);
  EXPECT_EQ(Accept("k1", Promo()).state, MessageState::kQueued);
  clock_.Advance(std::chrono::minutes(1));
  auto handled = messaging_->HandleInbound(
      "sms", Callback(R"([{"phone_number":"13812341234","send_time":"2026-01-01T02:00:30Z",
                          "content":" 退订 ","sign_name":"榕树银行","sequence_id":77}])"));
  ASSERT_TRUE(handled.ok()) << handled.status().ToString();
  // The queued one is refused at dispatch: consent was withdrawn after it was accepted.
  Drain();
  EXPECT_EQ(sms_.Count(), 0u);
  const Message next = Accept("k2", Promo());
  EXPECT_EQ(next.state, MessageState::kRefused);
  EXPECT_EQ(next.reason, "consent: no marketing consent on sms");
  // The withdrawal is in the consent ledger with the reply as evidence.
  auto consents = service_->Consents(auth::Principal::System(), one_id_, std::nullopt, 10);
  ASSERT_TRUE(consents.ok());
  EXPECT_EQ((*consents)["history"][0]["source"], "unsubscribe_reply");
  EXPECT_EQ((*consents)["history"][0]["granted"], false);
}

TEST_F(DispatcherTest, CallbacksWithAWrongTokenAreRefused) {
  auto handled = messaging_->HandleInbound("sms", Callback("[]", "wrong"));
  EXPECT_EQ(handled.status().code(), StatusCode::kUnauthenticated);
}

TEST_F(DispatcherTest, RetriesWithBackoffThenSends) {
  sms_.FailNext(2, 503);
  const Message m = Accept("k1", Otp());
  Drain();
  EXPECT_EQ(State(m.id), "queued");
  EXPECT_EQ(sms_.Count(), 1u);
  clock_.Advance(std::chrono::milliseconds(700));  // backoff 1 s ± 20%: not yet
  Drain();
  EXPECT_EQ(sms_.Count(), 1u);
  clock_.Advance(std::chrono::milliseconds(600));
  Drain();
  EXPECT_EQ(sms_.Count(), 2u);
  clock_.Advance(std::chrono::milliseconds(2500));  // 2 s ± 20%
  Drain();
  EXPECT_EQ(sms_.Count(), 3u);
  const Json got = Get(m.id);
  EXPECT_EQ(got["state"], "sent");
  ASSERT_EQ(got["attempts"].size(), 3u);
  EXPECT_EQ(got["attempts"][0]["outcome"], "retry");
  EXPECT_EQ(got["attempts"][0]["detail"], "HTTP 503 ");
  EXPECT_EQ(got["attempts"][2]["outcome"], "ok");
  // Every attempt carried the same idempotency id.
  for (const Recorded& r : sms_.Requests()) {
    EXPECT_EQ(Field(Form(r.body), "OutId"), fmt::format("banyan-msg-{}", m.id));
  }
}

TEST_F(DispatcherTest, DeadLettersAfterTheLastAttempt) {
  sms_.FailNext(5, 503);
  const Message m = Accept("k1", Otp());
  for (int i = 0; i < 5; ++i) {
    Drain();
    clock_.Advance(std::chrono::seconds(10));
  }
  EXPECT_EQ(sms_.Count(), 3u);  // attempts_max
  const Json got = Get(m.id);
  EXPECT_EQ(got["state"], "dead");
  EXPECT_EQ(got["reason"], "3 attempts failed; last: HTTP 503 ");
}

TEST_F(DispatcherTest, ProviderRefusalIsDeadWithoutRetry) {
  sms_.FailNext(1, 200, R"({"Code":"isv.MOBILE_NUMBER_ILLEGAL"})");
  const Message m = Accept("k1", Otp());
  Drain();
  clock_.Advance(std::chrono::minutes(5));
  Drain();
  EXPECT_EQ(sms_.Count(), 1u);
  EXPECT_EQ(Get(m.id)["reason"], "sms refused the message: HTTP 200 isv.MOBILE_NUMBER_ILLEGAL");
}

TEST_F(DispatcherTest, WebhookFailureFallsBackToSms) {
  FakeProvider douyin({"/send"}, R"({"id":"dy-1"})");
  Channel(
      "douyin", "webhook",
      {{"url", douyin.Url("/send")},
       {"address_type", "phone"},
       {"secret", "dy-secret"},
       {"headers", {{"X-Api-Key", "{{secret}}"}}},
       {"body", {{"to", "{{address}}"}, {"msg", "{{content.text}}"}, {"ref", "{{message_id}}"}}},
       {"response_id_field", "id"},
       {"fallback", "sms"}});
  const int64_t both = Template("both", "any", Purpose::kService,
                                {{"text", "您的验证码是{{code}}"},
                                 {"template_code", "SMS_100"},
                                 {"params", {{"code", "{{code}}"}}}},
                                {{{"name", "code"}}});
  SendRequest r = Otp();
  r.channel = "douyin";
  r.template_id = both;
  douyin.FailNext(1, 400, R"({"error":"unknown user"})");
  const Message m = Accept("k1", r);
  Drain();
  ASSERT_EQ(douyin.Count(), 1u);
  const Recorded request = douyin.Requests()[0];
  EXPECT_EQ(Json::parse(request.body),
            Json({{"to", "13812341234"}, {"msg", "您的验证码是1234"}, {"ref", m.id}}));
  EXPECT_EQ(request.Header("X-Api-Key"), "dy-secret");
  EXPECT_EQ(request.Header("Idempotency-Key"), fmt::format("banyan-msg-{}", m.id));
  EXPECT_EQ(sms_.Count(), 1u);
  const Json got = Get(m.id);
  EXPECT_EQ(got["state"], "sent");
  EXPECT_EQ(got["channel"], "sms");
  ASSERT_EQ(got["attempts"].size(), 2u);
  EXPECT_EQ(got["attempts"][0]["channel"], "douyin");
  EXPECT_EQ(got["attempts"][0]["outcome"], "permanent");
  EXPECT_EQ(got["attempts"][1]["channel"], "sms");
}

TEST_F(DispatcherTest, IdempotencyKeyReturnsTheSameMessageOrConflicts) {
  const Message first = Accept("same", Otp());
  auto again = messaging_->Send(auth::Principal::System(), "same", Otp());
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->message.id, first.id);
  EXPECT_EQ(messaging_->Send(auth::Principal::System(), "same", Otp("0000")).status().code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(messaging_->Send(auth::Principal::System(), "", Otp()).status().code(),
            StatusCode::kInvalidArgument);
  Drain();
  EXPECT_EQ(sms_.Count(), 1u);
}

TEST_F(DispatcherTest, InFlightMessagesResumeAfterARestart) {
  const Message m = Accept("k1", Otp());
  // A dispatcher claimed it and died before recording anything.
  ASSERT_TRUE(db_->Write([&](store::Transaction& tx) -> Status {
                   return Outbox().ClaimDue(tx, clock_.Now(), std::chrono::hours(1), 10).status();
                 })
                  .ok());
  Drain();
  EXPECT_EQ(sms_.Count(), 0u);  // leased
  OpenMessaging();              // restart
  Drain();
  EXPECT_EQ(sms_.Count(), 1u);
  EXPECT_EQ(State(m.id), "sent");
}

TEST_F(DispatcherTest, ReceiptsMoveMessagesForwardOnce) {
  const Message m = Accept("k1", Otp());
  Drain();
  const std::string receipt =
      R"([{"phone_number":"13812341234","success":true,"err_code":"DELIVERED",
           "biz_id":"biz-1","out_id":"x","report_time":"2026-01-01T02:00:05Z"}])";
  ASSERT_TRUE(messaging_->HandleInbound("sms", Callback(receipt)).ok());
  ASSERT_TRUE(messaging_->HandleInbound("sms", Callback(receipt)).ok());  // delivered twice
  const Json got = Get(m.id);
  EXPECT_EQ(got["state"], "delivered");
  EXPECT_EQ(got["status_history"].size(), 3u);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM message_inbound"), 1);
}

TEST_F(DispatcherTest, ShortLinkClickLandsOnTheTimelineAndRedirects) {
  sms_.SetCheck(nullptr);  // the fake stands in for a webhook receiver here, not for Aliyun
  Channel(
      "push", "webhook",
      {{"url", sms_.Url("/")}, {"address_type", "phone"}, {"body", {{"t", "{{content.text}}"}}}});
  SendRequest r;
  r.one_id = one_id_;
  r.channel = "push";
  r.purpose = Purpose::kService;
  r.content = "账单已出 https://bank.example/bill?id=7 请查收";
  clock_.Advance(std::chrono::minutes(1));
  const Message m = Accept("k1", r);
  ASSERT_TRUE(m.content);
  EXPECT_TRUE(m.content->starts_with("账单已出 https://b.example/l/")) << *m.content;
  Drain();
  const std::string sent = Json::parse(sms_.Requests()[0].body)["t"];
  const std::string code = sent.substr(sent.find("/l/") + 3, 10);
  clock_.Advance(std::chrono::minutes(1));
  auto url = messaging_->Click(code);
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_EQ(*url, "https://bank.example/bill?id=7");
  EXPECT_EQ(State(m.id), "clicked");
  EXPECT_EQ(messaging_->Click("nope").status().code(), StatusCode::kNotFound);
  auto timeline = messaging_->Timeline(auth::Principal::System(), one_id_, {});
  ASSERT_TRUE(timeline.ok()) << timeline.status().ToString();
  const Json items = (*timeline)["items"];
  ASSERT_GE(items.size(), 3u);  // the click, the message, the identify event
  EXPECT_EQ(items[0]["kind"], "inbound");
  EXPECT_EQ(items[0]["type"], "click");
  EXPECT_EQ(items[1]["kind"], "message");
  EXPECT_EQ(items[1]["state"], "clicked");
  EXPECT_EQ(items.back()["kind"], "event");
}

TEST_F(DispatcherTest, SmsRefusesFreeTextAndUnknownChannels) {
  SendRequest r;
  r.one_id = one_id_;
  r.channel = "sms";
  r.purpose = Purpose::kService;
  r.content = "hello";
  EXPECT_EQ(messaging_->Send(auth::Principal::System(), "k1", r).status().field(), "/content");
  r.channel = "fax";
  EXPECT_EQ(messaging_->Send(auth::Principal::System(), "k2", r).status().field(), "/channel");
}

TEST_F(DispatcherTest, CallersOutsideTheScopeCannotSendOrRead) {
  const Message m = Accept("k1", Otp());
  const auth::Principal rm = customer::testing::Rm();  // own customers only: not this one
  EXPECT_EQ(messaging_->Get(rm, m.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(messaging_->Send(rm, "k1", Otp()).status().code(), StatusCode::kNotFound);
}

// The gate's facts are read once per batch: the marketing counts of every recipient in one
// query (each message not counting itself, nor another customer's messages) and the
// suppression list only for channels that have entries.
TEST_F(DispatcherTest, BatchFactsCountEachCustomerApartAndApplySuppression) {
  const int64_t other = Customer("u2", "13900001111");
  Consent(one_id_, "sms", true);
  Consent(other, "sms", true);
  std::vector<Message> sent;
  for (int i = 0; i < 3; ++i) sent.push_back(Accept(fmt::format("a{}", i), Promo()));
  SendRequest to_other = Promo();
  to_other.one_id = other;
  sent.push_back(Accept("b0", to_other));
  Drain();  // one batch: all four claimed together
  for (const Message& m : sent) EXPECT_EQ(State(m.id), "sent") << m.id;
  // A service message queued before its address was suppressed is refused at send time.
  SendRequest otp = Otp();
  otp.one_id = other;
  const Message queued = Accept("b1", otp);
  ASSERT_TRUE(
      messaging_->Suppress(auth::Principal::System(), "sms", "phone", "13900001111", "complaint")
          .ok());
  const Message mine = Accept("a3", Otp());
  Drain();
  EXPECT_EQ(Get(queued.id)["reason"], "suppression: the recipient's address is suppressed on sms");
  EXPECT_EQ(State(mine.id), "sent");
  EXPECT_EQ(sms_.Count(), 5u);
}

// A batch is accepted in one transaction; an item's error rolls back that item only, and the
// same keys answer the same messages again.
TEST_F(DispatcherTest, SendManyWritesEveryItemButTheFailingOne) {
  std::vector<SendRequest> requests = {Otp("1"), Otp("2"), Otp("3")};
  requests[1].template_id = 999;  // no such template
  const std::vector<std::string> keys = {"b:0", "b:1", "b:2"};
  auto first = messaging_->SendMany(auth::Principal::System(), keys, requests);
  ASSERT_EQ(first.size(), 3u);
  ASSERT_TRUE(first[0].ok());
  EXPECT_EQ(first[1].status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(first[2].ok());
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM message"), 2);
  auto again = messaging_->SendMany(auth::Principal::System(), keys, requests);
  ASSERT_TRUE(again[0].ok() && again[2].ok());
  EXPECT_FALSE(again[0]->created);
  EXPECT_EQ(again[2]->message.id, first[2]->message.id);
  Drain();
  EXPECT_EQ(sms_.Count(), 2u);
}

// Concurrent Send calls share commits (group commit) and each gets its own message.
TEST_F(DispatcherTest, ConcurrentSendsAreEachAcceptedOnce) {
  constexpr int kThreads = 8, kEach = 25;
  std::vector<std::thread> threads;
  std::mutex mutex;
  std::set<int64_t> ids;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        // Every thread also repeats one shared key: it must stay one message.
        const std::string key = i == 0 ? "shared" : fmt::format("t{}-{}", t, i);
        auto accepted = messaging_->Send(auth::Principal::System(), key, Otp());
        ASSERT_TRUE(accepted.ok()) << accepted.status().ToString();
        std::lock_guard lock(mutex);
        ids.insert(accepted->message.id);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ids.size(), static_cast<size_t>(kThreads * (kEach - 1) + 1));
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM message"), kThreads * (kEach - 1) + 1);
}

}  // namespace
}  // namespace banyan::messaging
