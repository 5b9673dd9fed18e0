#include "messaging/channels/email/email_channel.h"

#include <fmt/format.h>
#include <sodium.h>

#include <ctime>

namespace banyan::messaging::channels {
namespace {

struct EmailConfig {
  std::string smtp_url, username, password, from, from_name;
};

std::string Base64(std::string_view bytes) {
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);
  return out;
}

// RFC 2047 encoded-word for non-ASCII header text.
std::string HeaderText(std::string_view text) {
  const bool ascii = std::all_of(text.begin(), text.end(), [](char c) {
    return static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f;
  });
  return ascii ? std::string(text) : "=?UTF-8?B?" + Base64(text) + "?=";
}

std::string Rfc5322Date(Timestamp now) {
  const std::time_t t = ToUnixSeconds(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[64];
  std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buffer;
}

// Base64 body in 76-character lines.
std::string BodyLines(std::string_view text) {
  const std::string encoded = Base64(text);
  std::string out;
  for (size_t at = 0; at < encoded.size(); at += 76) out += encoded.substr(at, 76) + "\r\n";
  return out;
}

bool SafeHeaderValue(std::string_view value) {
  return value.find_first_of("\r\n") == std::string_view::npos;
}

class EmailChannel final : public Channel {
 public:
  EmailChannel(EmailConfig config, ChannelContext& context)
      : config_(std::move(config)), http_(context.http), clock_(context.clock) {}

  std::string_view address_type() const override { return "email"; }
  std::string_view consent_channel() const override { return "email"; }

  SendResult Send(const Outbound& m) override {
    if (!SafeHeaderValue(m.address) || !SafeHeaderValue(m.content.value("subject", ""))) {
      return {AttemptOutcome::kPermanent, "", "a header value holds a line break"};
    }
    MailCall call;
    call.url = config_.smtp_url;
    call.username = config_.username;
    call.password = config_.password;
    call.from = "<" + config_.from + ">";
    call.to = {"<" + m.address + ">"};
    call.message = ComposeEmail(m, config_.from, config_.from_name, clock_.Now());
    Status sent = http_.SendMail(call);
    if (sent.ok()) return {AttemptOutcome::kOk, MessageId(m), "250"};
    return {sent.code() == StatusCode::kFailedPrecondition ? AttemptOutcome::kPermanent
                                                           : AttemptOutcome::kRetry,
            "", sent.message()};
  }

 private:
  std::string MessageId(const Outbound& m) const {
    return fmt::format("<{}@{}>", m.idempotency_id,
                       config_.from.substr(config_.from.find('@') + 1));
  }

  const EmailConfig config_;
  HttpClient& http_;
  const Clock& clock_;
};

Result<std::unique_ptr<Channel>> Create(const Json& json, ChannelContext& context) {
  RETURN_IF_ERROR(
      RejectUnknownMembers(json, {"smtp_url", "username", "password", "from", "from_name"}));
  EmailConfig config;
  ASSIGN_OR_RETURN(config.smtp_url, ReadUrl(json, "smtp_url", context));
  if (!config.smtp_url.starts_with("smtp://") && !config.smtp_url.starts_with("smtps://")) {
    return InvalidArgumentError("expected smtps:// or smtp://", "/smtp_url");
  }
  ASSIGN_OR_RETURN(config.username, ReadOptionalString(json, "username", "", 256));
  if (json.contains("password")) {
    ASSIGN_OR_RETURN(config.password, ReadSecret(json, "password", context));
  }
  ASSIGN_OR_RETURN(config.from, ReadString(json, "from", 256));
  if (config.from.find('@') == std::string::npos || !SafeHeaderValue(config.from)) {
    return InvalidArgumentError("expected an e-mail address", "/from");
  }
  ASSIGN_OR_RETURN(config.from_name, ReadOptionalString(json, "from_name", "", 128));
  if (!SafeHeaderValue(config.from_name)) {
    return InvalidArgumentError("must not hold a line break", "/from_name");
  }
  return std::unique_ptr<Channel>(new EmailChannel(std::move(config), context));
}

}  // namespace

std::string ComposeEmail(const Outbound& m, std::string_view from, std::string_view from_name,
                         Timestamp now) {
  std::string out;
  out += from_name.empty() ? fmt::format("From: <{}>\r\n", from)
                           : fmt::format("From: {} <{}>\r\n", HeaderText(from_name), from);
  out += fmt::format("To: <{}>\r\n", m.address);
  out += fmt::format("Subject: {}\r\n", HeaderText(m.content.value("subject", "")));
  out += fmt::format("Date: {}\r\n", Rfc5322Date(now));
  out += fmt::format("Message-ID: <{}@{}>\r\n", m.idempotency_id, from.substr(from.find('@') + 1));
  if (m.purpose == Purpose::kMarketing && !m.unsubscribe_url.empty()) {
    out += fmt::format("List-Unsubscribe: <{}>\r\n", m.unsubscribe_url);
    out += "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n";
  }
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=UTF-8\r\n";
  out += "Content-Transfer-Encoding: base64\r\n\r\n";
  out += BodyLines(m.content.value("text", ""));
  return out;
}

ChannelFactory EmailChannelFactory() { return {"email", {"password"}, Create}; }

}  // namespace banyan::messaging::channels
