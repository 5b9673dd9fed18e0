// The email plugin against a real SMTP server (python3-aiosmtpd on loopback,
// tests/messaging/smtp_sink.py): the exact message received, the unsubscribe headers, retry on 4xx.

#include <gtest/gtest.h>
#include <stdio.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "messaging/channels/email/email_channel.h"
#include "tests/messaging/messaging_fixture.h"

namespace banyan::messaging {
namespace {

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs smtp_sink.py; stops it (closing its stdin) when destroyed.
class SmtpSink {
 public:
  SmtpSink(const std::filesystem::path& dir, int fail_first) : dir_(dir) {
    std::filesystem::create_directories(dir);
    const std::string command =
        fmt::format("/usr/bin/python3 {}/tests/messaging/smtp_sink.py {} --fail-first {}",
                    BANYAN_SOURCE_DIR, dir.string(), fail_first);
    pipe_ = popen(command.c_str(), "w");
    // The port is printed to stdout, which popen leaves to us only one way: a file.
    for (int i = 0; i < 100 && port_ == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      port_ = ReadPort();
    }
  }
  ~SmtpSink() {
    if (pipe_ != nullptr) pclose(pipe_);
  }
  int port() const { return port_; }
  std::string Message(int n) const { return ReadFile(dir_ / (std::to_string(n) + ".eml")); }
  std::string Envelope(int n) const { return ReadFile(dir_ / (std::to_string(n) + ".env")); }

 private:
  int ReadPort() const {
    const std::string text = ReadFile(dir_ / "port");
    return text.empty() ? 0 : std::atoi(text.c_str());
  }
  std::filesystem::path dir_;
  FILE* pipe_ = nullptr;
  int port_ = 0;
};

class EmailTest : public testing::MessagingFixture {
 protected:
  void Start(int fail_first) {
    sink_ = std::make_unique<SmtpSink>(dir_ / "smtp", fail_first);
    ASSERT_GT(sink_->port(), 0) << "python3-aiosmtpd is needed (scripts/install-deps.sh)";
    Channel("email", "email",
            {{"smtp_url", fmt::format("smtp://127.0.0.1:{}", sink_->port())},
             {"from", "noreply@bank.example"},
             {"from_name", "榕树银行"}});
    one_id_ = Customer("u1", "13812341234", "zhang.san@example.com");
  }
  std::unique_ptr<SmtpSink> sink_;
  int64_t one_id_ = 0;
};

TEST_F(EmailTest, MarketingMailArrivesWithOneClickUnsubscribe) {
  Start(0);
  Consent(one_id_, "email", true);
  const int64_t tpl = Template(
      "news", "email", Purpose::kMarketing,
      {{"subject", "本月理财精选"}, {"text", "年化 {{rate}}，详情见网点。"}}, {{{"name", "rate"}}});
  SendRequest r;
  r.one_id = one_id_;
  r.channel = "email";
  r.template_id = tpl;
  r.variables = {{"rate", "3.1%"}};
  const Message m = Accept("k1", r);
  Drain();
  EXPECT_EQ(State(m.id), "sent");
  EXPECT_EQ(sink_->Envelope(1), "noreply@bank.example\nzhang.san@example.com\n");
  const std::string mail = sink_->Message(1);
  Outbound expected;
  expected.message_id = m.id;
  expected.idempotency_id = fmt::format("banyan-msg-{}", m.id);
  expected.purpose = Purpose::kMarketing;
  expected.address = "zhang.san@example.com";
  expected.content = {{"subject", "本月理财精选"}, {"text", "年化 3.1%，详情见网点。"}};
  expected.unsubscribe_url = messaging_->UnsubscribeUrl(m.id);
  // aiosmtpd keeps the message as received (it adds no headers to original_content).
  EXPECT_EQ(mail,
            channels::ComposeEmail(expected, "noreply@bank.example", "榕树银行", clock_.Now()));
  EXPECT_NE(mail.find("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"), std::string::npos);
  EXPECT_NE(mail.find("Subject: =?UTF-8?B?"), std::string::npos);
  // The one-click link withdraws email marketing consent; a forged token does nothing.
  const std::string url = messaging_->UnsubscribeUrl(m.id);
  const std::string token = url.substr(url.rfind('/') + 1);
  EXPECT_EQ(messaging_->Unsubscribe(std::to_string(m.id) + ".00").code(), StatusCode::kNotFound);
  ASSERT_TRUE(messaging_->Unsubscribe(token).ok());
  r.variables = {{"rate", "3.2%"}};
  EXPECT_EQ(Accept("k2", r).reason, "consent: no marketing consent on email");
}

TEST_F(EmailTest, ServiceMailHasNoUnsubscribeHeadersAndRetriesA451) {
  Start(1);
  SendRequest r;
  r.one_id = one_id_;
  r.channel = "email";
  r.purpose = Purpose::kService;
  r.content = "您的对账单已生成。";
  const Message m = Accept("k1", r);
  Drain();
  EXPECT_EQ(State(m.id), "queued");  // 451: try again later
  clock_.Advance(std::chrono::seconds(2));
  Drain();
  EXPECT_EQ(State(m.id), "sent");
  EXPECT_EQ(sink_->Message(1).find("List-Unsubscribe"), std::string::npos);
}

}  // namespace
}  // namespace banyan::messaging
