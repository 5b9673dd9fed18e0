// MessagingFixture: the customer path (customer/testing/customer_fixture.h) plus a
// MessagingService over it, an HttpClient that may reach loopback fake providers over plain
// http, and helpers to make customers, consents and channels. The clock starts at 10:00 in
// Shanghai (inside the marketing window) on 2026-01-01.
//
// Thread safety: test fixtures run on the test's thread.

#ifndef BANYAN_TESTS_MESSAGING_MESSAGING_FIXTURE_H_
#define BANYAN_TESTS_MESSAGING_MESSAGING_FIXTURE_H_

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "customer/testing/customer_fixture.h"
#include "messaging/service.h"

namespace banyan::messaging::testing {

// 2026-01-01T02:00:00Z: 10:00 in Shanghai.
inline constexpr int64_t kTenInShanghaiMicros = 1767232800LL * 1000000;

inline HttpClientOptions LoopbackHttp() {
  HttpClientOptions options;
  options.allow_plain_loopback = true;
  options.timeout = std::chrono::seconds(5);
  return options;
}

class MessagingFixture : public customer::testing::CustomerFixture {
 protected:
  void SetUp() override {
    CustomerFixture::SetUp();
    clock_.Set(FromUnixMicros(kTenInShanghaiMicros));
    SeedOrg();
    Start();
    OpenMessaging();
  }
  void TearDown() override {
    messaging_.reset();
    CustomerFixture::TearDown();
  }

  virtual MessagingOptions MessagingOptionsForTest() const {
    MessagingOptions options;
    options.retry.initial_backoff = std::chrono::seconds(1);
    options.retry.attempts_max = 3;
    options.public_base_url = "https://b.example";
    return options;
  }

  void OpenMessaging() {
    messaging_.reset();
    MessagingService::Deps deps{*db_,   *service_, *ring_,
                                clock_, random_,   *BusinessCalendar::Create("Asia/Shanghai"),
                                http_,  env_};
    auto opened = MessagingService::Open(std::move(deps), MessagingOptionsForTest());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    messaging_ = std::move(*opened);
  }

  // A customer with a phone (and e-mail, openid when given), flushed. Returns the OneID.
  int64_t Customer(std::string user, std::string phone, std::string email = "",
                   std::string openid = "") {
    Json traits = {{"phone", phone}};
    if (!email.empty()) traits["email"] = email;
    if (!openid.empty()) traits["wechat_openid"] = openid;
    Send(Json{
        {"type", "identify"}, {"userId", user}, {"messageId", "id-" + user}, {"traits", traits}}
             .dump());
    EXPECT_TRUE(service_->Flush().ok());
    return FindOne("phone", phone);
  }

  void Consent(int64_t one_id, std::string channel, bool granted,
               privacy::Purpose purpose = privacy::Purpose::kMarketing) {
    privacy::ConsentFact fact;
    fact.purpose = purpose;
    fact.channel = std::move(channel);
    fact.granted = granted;
    fact.at = clock_.Now() - std::chrono::seconds(1);
    fact.source = "branch_form";
    auto recorded = service_->RecordConsent(auth::Principal::System(), one_id, fact, {});
    ASSERT_TRUE(recorded.ok()) << recorded.status().ToString();
  }

  void Channel(std::string name, std::string kind, Json config) {
    auto put = messaging_->PutChannel(auth::Principal::System(), name, kind, config, true);
    ASSERT_TRUE(put.ok()) << put.status().ToString();
  }

  // The "sms" channel on an Aliyun-shaped provider at `endpoint`, key LTAI-test / `secret`.
  void AliyunSmsChannel(const std::string& endpoint, const std::string& callback_token,
                        const std::string& secret = "secret-1") {
    Channel("sms", "sms",
            {{"provider", "aliyun"},
             {"endpoint", endpoint},
             {"access_key_id", "LTAI-test"},
             {"access_key_secret", secret},
             {"sign_name", "榕树银行"},
             {"callback_token", callback_token}});
  }

  // An approved template; marketing ones are approved by a second staff member (2).
  int64_t Template(std::string name, std::string channel, Purpose purpose, Json body,
                   Json variables = Json::array()) {
    int64_t id = 0;
    Status done = db_->Write([&](store::Transaction& tx) -> Status {
      std::vector<VariableDef> defs;
      RETURN_IF_ERROR(ParseVersionInput(body, variables, &defs));
      messaging::Template t{0, name, channel, purpose, "", {}, {}};
      ASSIGN_OR_RETURN(id, messaging_->templates().Create(tx, t, body, defs, 1));
      ASSIGN_OR_RETURN(auto state, messaging_->templates().Submit(tx, id, 1, 1));
      if (state == VersionState::kSubmitted) {
        RETURN_IF_ERROR(messaging_->templates().Review(tx, id, 1, 2, true, ""));
      }
      return Status::Ok();
    });
    EXPECT_TRUE(done.ok()) << done.ToString();
    return id;
  }

  // Sends through the API's path as the system; returns the accepted message.
  Message Accept(std::string key, SendRequest request) {
    auto accepted = messaging_->Send(auth::Principal::System(), key, request);
    EXPECT_TRUE(accepted.ok()) << accepted.status().ToString();
    return accepted.ok() ? accepted->message : Message{};
  }

  Json Get(int64_t id) {
    auto got = messaging_->Get(auth::Principal::System(), id);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    return got.ok() ? *got : Json();
  }
  std::string State(int64_t id) { return Get(id).value("state", ""); }

  // Runs the dispatcher until nothing is due now.
  void Drain() {
    for (int i = 0; i < 50; ++i) {
      auto handled = messaging_->RunOnce();
      ASSERT_TRUE(handled.ok()) << handled.status().ToString();
      if (*handled == 0) return;
    }
  }

  std::map<std::string, std::string> env_;
  HttpClient http_{LoopbackHttp()};
  std::unique_ptr<MessagingService> messaging_;
};

}  // namespace banyan::messaging::testing

#endif  // BANYAN_TESTS_MESSAGING_MESSAGING_FIXTURE_H_
