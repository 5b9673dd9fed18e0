#include "messaging/channels/wechat_mp/wechat_mp_channel.h"

#include <fmt/format.h>

#include "messaging/channels/access_token.h"
#include "messaging/channels/callback_auth.h"
#include "messaging/internal/signing.h"

namespace banyan::messaging::channels {
namespace {

struct WechatConfig {
  std::string app_id, app_secret, api_base, callback_token;
};

class WechatMpChannel final : public Channel {
 public:
  WechatMpChannel(WechatConfig config, ChannelContext& context)
      : config_(std::move(config)),
        http_(context.http),
        clock_(context.clock),
        tokens_(fmt::format("{}/cgi-bin/token?grant_type=client_credential&appid={}&secret={}",
                            config_.api_base, internal::PercentEncode(config_.app_id),
                            internal::PercentEncode(config_.app_secret)),
                "access token", context.http, context.clock) {}

  std::string_view address_type() const override { return "wechat_openid"; }
  std::string_view consent_channel() const override { return "wechat"; }
  bool Carries(Purpose purpose) const override { return purpose == Purpose::kService; }
  bool FreeText() const override { return false; }
  std::string PickAddress(std::span<const std::string> values) const override {
    const std::string prefix = config_.app_id + ":";
    for (const std::string& value : values) {
      if (value.starts_with(prefix)) return value.substr(prefix.size());
    }
    return "";
  }

  SendResult Send(const Outbound& m) override {
    if (!Carries(m.purpose)) {  // the gate refuses these first; never send one regardless
      return {AttemptOutcome::kPermanent, "", "template messages carry service messages only"};
    }
    const std::string kind = m.content.value("kind", "template");
    Json body = {{"touser", m.address},
                 {"template_id", m.content.value("template_id", "")},
                 {"data", Json::object()}};
    const Json data = m.content.value("data", Json::object());
    for (const auto& [key, value] : data.items()) {
      body["data"][key] = {{"value", value}};
    }
    std::string path = "/cgi-bin/message/template/send";
    if (kind == "subscribe") {
      path = "/cgi-bin/message/subscribe/bizsend";
      if (m.content.contains("page")) body["page"] = m.content["page"];
    } else if (m.content.contains("url")) {
      body["url"] = m.content["url"];
    }
    body["client_msg_id"] = m.idempotency_id;  // WeChat de-duplicates template sends by it
    for (int round = 0; round < 2; ++round) {
      auto token = Token(round > 0);
      if (!token.ok()) return {AttemptOutcome::kRetry, "", token.status().message()};
      HttpCall call{"POST",
                    fmt::format("{}{}?access_token={}", config_.api_base, path,
                                internal::PercentEncode(*token)),
                    {{"Content-Type", "application/json"}},
                    body.dump()};
      auto reply = http_.Send(call);
      if (!reply.ok()) return {AttemptOutcome::kRetry, "", reply.status().message()};
      if (reply->status != 200) {
        return {OutcomeForHttpStatus(reply->status), "", fmt::format("HTTP {}", reply->status)};
      }
      auto answer = ParseJson(reply->body);
      if (!answer.ok()) return {AttemptOutcome::kRetry, "", "unparsable answer"};
      const int64_t code = answer->value("errcode", int64_t{0});
      if (code == 0) {
        const Json id = answer->value("msgid", Json());
        return {AttemptOutcome::kOk, id.is_string() ? id.get<std::string>() : id.dump(), "ok"};
      }
      if (code == 40001 || code == 42001) continue;  // token invalid or expired: fetch again
      // 43004: the user does not follow the account; 43101: no subscription — nothing a retry
      // fixes, but another channel may reach them.
      if (code == 43004 || code == 43101) {
        return {AttemptOutcome::kFallback, "", fmt::format("errcode {}", code)};
      }
      const bool transient = code == -1 || code == 45009;  // busy; API quota
      return {transient ? AttemptOutcome::kRetry : AttemptOutcome::kPermanent, "",
              fmt::format("errcode {}", code)};
    }
    return {AttemptOutcome::kRetry, "", "access token refused twice"};
  }

  Result<std::vector<InboundItem>> ParseInbound(const http::Request& request) override {
    RETURN_IF_ERROR(CheckCallbackToken(request, config_.callback_token));
    ASSIGN_OR_RETURN(Json body, ParseJson(request.body));
    if (!body.is_object()) return InvalidArgumentError("expected an object");
    InboundItem item;
    const Json id = body.value("msgid", Json());
    item.provider_message_id = id.is_string() ? id.get<std::string>() : id.dump();
    item.provider_event_id = "finish:" + item.provider_message_id;
    item.state =
        body.value("status", "") == "success" ? MessageState::kDelivered : MessageState::kFailed;
    item.at = clock_.Now();
    return std::vector<InboundItem>{item};
  }

 private:
  Result<std::string> Token(bool refresh) { return tokens_.Get(refresh); }

  const WechatConfig config_;
  HttpClient& http_;
  const Clock& clock_;
  AccessTokenCache tokens_;
};

Result<std::unique_ptr<Channel>> Create(const Json& json, ChannelContext& context) {
  RETURN_IF_ERROR(
      RejectUnknownMembers(json, {"app_id", "app_secret", "api_base", "callback_token"}));
  WechatConfig config;
  ASSIGN_OR_RETURN(config.app_id, ReadString(json, "app_id", 64));
  ASSIGN_OR_RETURN(config.app_secret, ReadSecret(json, "app_secret", context));
  config.api_base = "https://api.weixin.qq.com";
  if (json.contains("api_base")) {
    ASSIGN_OR_RETURN(config.api_base, ReadUrl(json, "api_base", context));
  }
  ASSIGN_OR_RETURN(config.callback_token, ReadSecret(json, "callback_token", context));
  return std::unique_ptr<Channel>(new WechatMpChannel(std::move(config), context));
}

}  // namespace

ChannelFactory WechatMpChannelFactory() {
  return {"wechat_mp", {"app_secret", "callback_token"}, Create};
}

}  // namespace banyan::messaging::channels
