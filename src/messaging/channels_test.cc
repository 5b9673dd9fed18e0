// The WeChat official-account and 5G (MaaP) plugins against loopback fake providers, through the
// send API and the dispatcher.

#include <gtest/gtest.h>

#include "messaging/channels/wechat_mp/wechat_mp_channel.h"
#include "tests/messaging/fake_provider.h"
#include "tests/messaging/messaging_fixture.h"

namespace banyan::messaging {
namespace {

using testing::FakeProvider;

class ChannelsTest : public testing::MessagingFixture {
 protected:
  void SetUp() override {
    MessagingFixture::SetUp();
    one_id_ = Customer("u1", "13812341234", "", "wx123:oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
    AliyunSmsChannel(sms_.Url("/"), "cb");
  }
  SendRequest To(std::string channel, int64_t template_id) {
    SendRequest r;
    r.one_id = one_id_;
    r.channel = std::move(channel);
    r.template_id = template_id;
    r.variables = {{"amount", "100.00"}};
    return r;
  }

  FakeProvider sms_{{"/"}, R"({"Code":"OK","BizId":"biz-1"})"};
  int64_t one_id_ = 0;
};

class WechatTest : public ChannelsTest {
 protected:
  void SetUp() override {
    ChannelsTest::SetUp();
    Channel("wechat", "wechat_mp",
            {{"app_id", "wx123"},
             {"app_secret", "wx-secret"},
             {"api_base", wechat_.Url("")},
             {"callback_token", "cb"}});
  }
  FakeProvider wechat_{{"/cgi-bin/token", "/cgi-bin/message/template/send"},
                       R"({"access_token":"TOKEN-1","expires_in":7200,"errcode":0,"msgid":4242})"};
};

TEST_F(WechatTest, MarketingTemplateMessageIsRefusedByTheGate) {
  Consent(one_id_, "wechat", true);
  const int64_t promo = Template("promo", "wechat", Purpose::kMarketing,
                                 {{"template_id", "TPL"}, {"data", {{"amount", "{{amount}}"}}}},
                                 {{{"name", "amount"}, {"type", "amount"}}});
  const Message m = Accept("k1", To("wechat", promo));
  EXPECT_EQ(m.state, MessageState::kRefused);
  EXPECT_EQ(m.reason, "purpose: channel wechat does not carry marketing messages");
  Drain();
  EXPECT_EQ(wechat_.Count(), 0u);
}

TEST_F(WechatTest, ServiceTemplateMessageFetchesATokenOnceAndSendsTheExactRequest) {
  const int64_t bill = Template("bill", "wechat", Purpose::kService,
                                {{"template_id", "TPL-BILL"},
                                 {"url", "https://bank.example/bill"},
                                 {"data", {{"amount", "{{amount}}"}}}},
                                {{{"name", "amount"}, {"type", "amount"}}});
  const Message first = Accept("k1", To("wechat", bill));
  Accept("k2", To("wechat", bill));
  Drain();
  const auto requests = wechat_.Requests();
  ASSERT_EQ(requests.size(), 3u);  // one token, two sends: the token is cached
  EXPECT_EQ(requests[0].path, "/cgi-bin/token");
  EXPECT_EQ(requests[0].query, "grant_type=client_credential&appid=wx123&secret=wx-secret");
  EXPECT_EQ(requests[1].path, "/cgi-bin/message/template/send");
  EXPECT_EQ(requests[1].query, "access_token=TOKEN-1");
  EXPECT_EQ(Json::parse(requests[1].body),
            Json({{"touser", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
                  {"template_id", "TPL-BILL"},
                  {"url", "https://bank.example/bill"},
                  {"data", {{"amount", {{"value", "100.00"}}}}},
                  {"client_msg_id", fmt::format("banyan-msg-{}", first.id)}}));
  EXPECT_EQ(Get(first.id)["provider_message_id"], "4242");
}

TEST_F(WechatTest, AnExpiredTokenIsRefreshedOnce) {
  const int64_t bill =
      Template("bill", "wechat", Purpose::kService,
               {{"template_id", "T"}, {"data", {{"a", "{{amount}}"}}}}, {{{"name", "amount"}}});
  Accept("k1", To("wechat", bill));
  Drain();
  wechat_.FailNext(1, 200, R"({"errcode":42001,"errmsg":"access_token expired"})");
  const Message second = Accept("k2", To("wechat", bill));
  Drain();
  const auto requests = wechat_.Requests();
  ASSERT_EQ(requests.size(), 5u);  // token, send, send (expired), token, send
  EXPECT_EQ(requests[3].path, "/cgi-bin/token");
  EXPECT_EQ(State(second.id), "sent");
}

// WeChat's own pushes: the signature is SHA-1 hex of sorted("cb", timestamp, nonce), computed
// here independently (Python's hashlib) for the fixture's clock, 1767232800.
constexpr std::string_view kNow = "1767232800";
constexpr std::string_view kSignatureN1 = "e62394d01d87f9ae435952ac713f09f043c51e7a";  // nonce n1
constexpr std::string_view kSignatureStale =
    "8f3f4094630a1feaca99bd151c6d8c2aeddb38ce";  // 1767232000, n3

http::Request WechatPush(http::Method method, std::string query, std::string body = "") {
  http::Request request;
  request.method = method;
  request.query_string = std::move(query);
  request.body = std::move(body);
  return request;
}
std::string SignedQuery(std::string_view extra = "") {
  return fmt::format("signature={}&timestamp={}&nonce=n1{}", kSignatureN1, kNow, extra);
}
std::string JobFinished(std::string_view msgid, std::string_view status) {
  return fmt::format(
      "<xml><ToUserName><![CDATA[gh_7f083739789a]]></ToUserName>"
      "<FromUserName><![CDATA[oUpF8uMuAJO_M2pxb1Q9zNjWeS6o]]></FromUserName>"
      "<CreateTime>1767232790</CreateTime><MsgType><![CDATA[event]]></MsgType>"
      "<Event><![CDATA[TEMPLATESENDJOBFINISH]]></Event><MsgID>{}</MsgID>"
      "<Status><![CDATA[{}]]></Status></xml>",
      msgid, status);
}

TEST_F(WechatTest, SignedPushesMoveMessagesAndAreAnsweredSuccess) {
  const int64_t bill =
      Template("bill", "wechat", Purpose::kService,
               {{"template_id", "T"}, {"data", {{"a", "{{amount}}"}}}}, {{{"name", "amount"}}});
  const Message m = Accept("k1", To("wechat", bill));
  Drain();
  ASSERT_EQ(State(m.id), "sent");  // provider id 4242
  auto answer = messaging_->HandleInbound(
      "wechat", WechatPush(http::Method::kPost, SignedQuery(), JobFinished("4242", "success")));
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->body, "success");
  EXPECT_EQ(State(m.id), "delivered");
}

TEST_F(WechatTest, TemplateJobFailuresMarkTheMessageFailed) {
  const int64_t bill =
      Template("bill", "wechat", Purpose::kService,
               {{"template_id", "T"}, {"data", {{"a", "{{amount}}"}}}}, {{{"name", "amount"}}});
  for (std::string_view status : {"failed:user block", "failed: system failed"}) {
    wechat_.SetOkBody(fmt::format(
        R"({{"access_token":"TOKEN-1","expires_in":7200,"errcode":0,"msgid":"{}"}})", status));
    const Message m = Accept(std::string(status), To("wechat", bill));
    Drain();
    ASSERT_TRUE(messaging_
                    ->HandleInbound("wechat", WechatPush(http::Method::kPost, SignedQuery(),
                                                         JobFinished(status, status)))
                    .ok());
    EXPECT_EQ(State(m.id), "failed") << status;
  }
}

TEST_F(WechatTest, SubscribeMessageResultsAreReceipts) {
  const int64_t notice =
      Template("notice", "wechat", Purpose::kService,
               {{"kind", "subscribe"}, {"template_id", "S"}, {"data", {{"a", "{{amount}}"}}}},
               {{{"name", "amount"}}});
  FakeProvider mp({"/cgi-bin/token", "/cgi-bin/message/subscribe/bizsend"},
                  R"({"access_token":"TOKEN-1","expires_in":7200,"errcode":0,"msgid":77})");
  Channel("wechat", "wechat_mp",
          {{"app_id", "wx123"},
           {"app_secret", "wx-secret"},
           {"api_base", mp.Url("")},
           {"callback_token", "cb"}});
  const Message m = Accept("k1", To("wechat", notice));
  Drain();
  ASSERT_EQ(State(m.id), "sent");
  EXPECT_EQ(mp.Requests().back().path, "/cgi-bin/message/subscribe/bizsend");
  const std::string xml =
      "<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName>"
      "<CreateTime>1767232790</CreateTime><MsgType><![CDATA[event]]></MsgType>"
      "<Event><![CDATA[subscribe_msg_sent_event]]></Event><SubscribeMsgSentEvent>"
      "<List><TemplateId><![CDATA[S]]></TemplateId><MsgID>77</MsgID><ErrorCode>0</ErrorCode>"
      "<ErrorStatus><![CDATA[success]]></ErrorStatus></List>"
      "</SubscribeMsgSentEvent></xml>";
  ASSERT_TRUE(
      messaging_->HandleInbound("wechat", WechatPush(http::Method::kPost, SignedQuery(), xml))
          .ok());
  EXPECT_EQ(State(m.id), "delivered");
}

TEST_F(WechatTest, BadSignaturesStaleTimestampsAndSafeModeAreRefused) {
  const std::string body = JobFinished("4242", "success");
  auto code = [&](std::string query, std::string payload) {
    return messaging_->HandleInbound("wechat", WechatPush(http::Method::kPost, query, payload))
        .status()
        .code();
  };
  EXPECT_EQ(code(fmt::format("signature={}&timestamp={}&nonce=n2", kSignatureN1, kNow), body),
            StatusCode::kUnauthenticated);  // signed for another nonce
  EXPECT_EQ(code(fmt::format("signature={}&timestamp=1767232000&nonce=n3", kSignatureStale), body),
            StatusCode::kUnauthenticated);  // correctly signed, 800 s old
  EXPECT_EQ(code(fmt::format("signature={}&nonce=n1", kSignatureN1), body),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(code(SignedQuery("&encrypt_type=aes&msg_signature=x"), body),
            StatusCode::kInvalidArgument);  // safe mode is not supported
  EXPECT_EQ(code(SignedQuery(), "<xml><ToUserName>a</ToUserName><Encrypt>x</Encrypt></xml>"),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(code(SignedQuery(), std::string(channels::kWechatXmlBytesMax + 1, ' ')),
            StatusCode::kTooLarge);
  // The relayed JSON form keeps working with the callback token.
  http::Request relayed = WechatPush(http::Method::kPost, "", R"({"msgid":1,"status":"success"})");
  relayed.headers.Set("X-Banyan-Token", "wrong");
  EXPECT_EQ(messaging_->HandleInbound("wechat", relayed).status().code(),
            StatusCode::kUnauthenticated);
}

TEST_F(WechatTest, UrlVerificationEchoesOnlyWithAValidSignature) {
  auto answer = messaging_->HandleVerification(
      "wechat", WechatPush(http::Method::kGet, SignedQuery("&echostr=5838479218127813673")));
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_EQ(answer->body, "5838479218127813673");
  EXPECT_EQ(messaging_
                ->HandleVerification(
                    "wechat",
                    WechatPush(http::Method::kGet, fmt::format("signature={}&timestamp={}&nonce=n2&"
                                                               "echostr=1",
                                                               kSignatureN1, kNow)))
                .status()
                .code(),
            StatusCode::kUnauthenticated);
  // Other plugins, and channels that do not exist, have no verification route.
  EXPECT_EQ(
      messaging_
          ->HandleVerification("sms", WechatPush(http::Method::kGet, SignedQuery("&echostr=1")))
          .status()
          .code(),
      StatusCode::kNotFound);
  EXPECT_EQ(
      messaging_->HandleVerification("nope", WechatPush(http::Method::kGet, "")).status().code(),
      StatusCode::kNotFound);
}

TEST_F(WechatTest, AFollowersTextIsAReplyOnTheTimeline) {
  const std::string xml =
      "<xml><ToUserName><![CDATA[gh_1]]></ToUserName>"
      "<FromUserName><![CDATA[oUpF8uMuAJO_M2pxb1Q9zNjWeS6o]]></FromUserName>"
      "<CreateTime>1767232790</CreateTime><MsgType><![CDATA[text]]></MsgType>"
      "<Content><![CDATA[退订]]></Content><MsgId>23456789</MsgId></xml>";
  ASSERT_TRUE(
      messaging_->HandleInbound("wechat", WechatPush(http::Method::kPost, SignedQuery(), xml))
          .ok());
  auto timeline = messaging_->Timeline(auth::Principal::System(), one_id_, {});
  ASSERT_TRUE(timeline.ok()) << timeline.status().ToString();
  Json reply;
  for (const Json& item : (*timeline)["items"]) {
    if (item["kind"] == "inbound" && reply.is_null()) reply = item;
  }
  EXPECT_EQ(reply["type"], "reply");
  EXPECT_EQ(reply["channel"], "wechat");
  EXPECT_EQ(reply["at"], "2026-01-01T01:59:50Z");  // WeChat's CreateTime
  // 退订 withdrew WeChat marketing consent.
  auto customer = service_->Get(auth::Principal::System(), one_id_);
  ASSERT_TRUE(customer.ok());
  const std::string consents = (*customer)["consents"].dump();
  EXPECT_NE(consents.find("unsubscribe_reply"), std::string::npos) << consents;
}

TEST(WechatXmlTest, ParsesFlatXmlWithCdataAndEntitiesAndRefusesTheRest) {
  auto xml = channels::ParseWechatXml(
      "<?xml version=\"1.0\"?>\n<xml>\n  <A><![CDATA[<b>&amp;</b>]]></A>\n  <B>1 &lt; 2</B>\n"
      "  <C/>\n</xml>");
  ASSERT_TRUE(xml.ok()) << xml.status().ToString();
  EXPECT_EQ(xml->name, "xml");
  EXPECT_EQ(xml->Child("A"), "<b>&amp;</b>");
  EXPECT_EQ(xml->Child("B"), "1 < 2");
  EXPECT_EQ(xml->Child("C"), "");
  for (std::string_view bad : {"<!DOCTYPE xml [<!ENTITY x \"y\">]><xml/>", "<xml><!-- c --></xml>",
                               "<xml a=\"1\"/>", "<xml><A>x</B></xml>", "<xml><A>&x;</A></xml>",
                               "<xml>text<A/></xml>", "<xml><A><B><C><D>deep</D></C></B></A></xml>",
                               "<xml><A><![CDATA[x</A></xml>", "<xml/><xml/>", "<xml><A>1</A>"}) {
    EXPECT_EQ(channels::ParseWechatXml(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
  std::string many = "<xml>";
  for (int i = 0; i < channels::kWechatXmlElementsMax; ++i) many += "<A/>";
  EXPECT_EQ(channels::ParseWechatXml(many + "</xml>").status().code(),
            StatusCode::kInvalidArgument);
}

TEST(WechatXmlTest, CallbackSignatureIsSha1OfTheSortedParts) {
  EXPECT_EQ(channels::WechatCallbackSignature("cb", kNow, "n1"), kSignatureN1);
}

class RcsTest : public ChannelsTest {
 protected:
  void SetUp() override {
    ChannelsTest::SetUp();
    Channel("rcs", "rcs",
            {{"endpoint", maap_.Url("/bot/v1/cb1")},
             {"token", "maap-token"},
             {"callback_token", "cb"},
             {"fallback", "sms"}});
    const Json body = {
        {"text", "账单 {{amount}} 元"},
        {"card", {{"title", "本月账单"}, {"description", "应还 {{amount}} 元"}}},
        {"suggestions",
         Json::array({Json{{"reply", "已还款"}},
                      Json{{"url", "https://bank.example/pay"}, {"text", "去还款"}}})},
        {"template_code", "SMS_300"},
        {"params", {{"amount", "{{amount}}"}}}};
    card_ = Template("card", "any", Purpose::kService, body,
                     {{{"name", "amount"}, {"type", "amount"}}});
  }
  FakeProvider maap_{{"/bot/v1/cb1/contactCapabilities", "/bot/v1/cb1/messages"},
                     R"({"capabilities":["ChatbotSA"]})"};
  int64_t card_ = 0;
};

TEST_F(RcsTest, CapableHandsetGetsTheRichCardWithSuggestions) {
  const Message m = Accept("k1", To("rcs", card_));
  Drain();
  const auto requests = maap_.Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].query, "userContact=tel%3A%2B8613812341234");
  EXPECT_EQ(requests[1].Header("Authorization"), "Bearer maap-token");
  Json card = {
      {"layout", {{"cardOrientation", "VERTICAL"}}},
      {"content",
       {{"title", "本月账单"}, {"description", "应还 100.00 元"}, {"media", Json::object()}}}};
  Json suggestions =
      Json::array({Json{{"reply", {{"displayText", "已还款"}}}},
                   Json{{"action",
                         {{"displayText", "去还款"},
                          {"urlAction", {{"openUrl", {{"url", "https://bank.example/pay"}}}}}}}}});
  const Json expected = {{"messageContact", {{"userContact", "tel:+8613812341234"}}},
                         {"messageId", fmt::format("banyan-msg-{}", m.id)},
                         {"RCSMessage",
                          {{"richcardMessage", {{"message", {{"generalPurposeCard", card}}}}},
                           {"suggestedChipList", {{"suggestions", suggestions}}}}}};
  EXPECT_EQ(Json::parse(requests[1].body), expected);
  EXPECT_EQ(sms_.Count(), 0u);
  EXPECT_EQ(State(m.id), "sent");
}

TEST_F(RcsTest, HandsetWithout5GFallsBackToSms) {
  maap_.FailNext(1, 404, R"({"error":"unknown"})");
  const Message m = Accept("k1", To("rcs", card_));
  Drain();
  EXPECT_EQ(maap_.Count(), 1u);  // only the capability query
  ASSERT_EQ(sms_.Count(), 1u);
  const Json got = Get(m.id);
  EXPECT_EQ(got["state"], "sent");
  EXPECT_EQ(got["channel"], "sms");
  EXPECT_EQ(got["attempts"][0]["outcome"], "fallback");
  EXPECT_EQ(got["attempts"][0]["detail"], "not 5G-message capable");
}

TEST_F(RcsTest, AutoRoutingPrefersTheChannelTheCustomerEngagesWith) {
  // With no history, priority decides (both 100: by name, "rcs" before "sms"); after the
  // customer read a message on SMS, SMS comes first.
  SendRequest r = To("auto", card_);
  EXPECT_EQ(Accept("k1", r).channel, "rcs");
  const Message on_sms = Accept("k2", To("sms", card_));
  ASSERT_TRUE(db_->Write([&](store::Transaction& tx) {
                   return tx.Execute("UPDATE message SET state = 'read' WHERE id = ?", {on_sms.id});
                 })
                  .ok());
  EXPECT_EQ(Accept("k3", r).channel, "sms");
}

}  // namespace
}  // namespace banyan::messaging
