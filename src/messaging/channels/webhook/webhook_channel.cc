#include "messaging/channels/webhook/webhook_channel.h"

#include <fmt/format.h>

#include "messaging/channels/callback_auth.h"
#include "messaging/templates.h"
#include "privacy/consent.h"

namespace banyan::messaging::channels {
namespace {

struct WebhookConfig {
  std::string url, method, secret, address_type, consent_channel, response_id_field;
  std::string callback_token;
  Json headers = Json::object();
  Json body = Json::object();
};

// Fills every string of `shape` from `values`; a string that is exactly one placeholder takes
// the value's JSON type (so {"amount": "{{content.amount}}"} stays a number).
Json Fill(const Json& shape, const Json& values) {
  if (shape.is_string()) {
    const std::string& text = shape.get_ref<const std::string&>();
    if (text.starts_with("{{") && text.ends_with("}}") && text.find("{{", 2) == std::string::npos) {
      const auto it = values.find(text.substr(2, text.size() - 4));
      if (it != values.end()) return *it;
    }
    return Substitute(text, values);
  }
  if (shape.is_object()) {
    Json out = Json::object();
    for (const auto& [key, item] : shape.items()) out[key] = Fill(item, values);
    return out;
  }
  if (shape.is_array()) {
    Json out = Json::array();
    for (const auto& item : shape) out.push_back(Fill(item, values));
    return out;
  }
  return shape;
}

class WebhookChannel final : public Channel {
 public:
  WebhookChannel(WebhookConfig config, ChannelContext& context)
      : config_(std::move(config)), http_(context.http), clock_(context.clock) {}

  std::string_view address_type() const override { return config_.address_type; }
  std::string_view consent_channel() const override { return config_.consent_channel; }

  SendResult Send(const Outbound& m) override {
    Json values = {{"address", m.address},
                   {"idempotency_id", m.idempotency_id},
                   {"message_id", m.message_id},
                   {"purpose", PurposeName(m.purpose)},
                   {"secret", config_.secret}};
    for (const auto& [key, item] : m.content.items()) values["content." + key] = item;
    HttpCall call{config_.method,
                  config_.url,
                  {{"Content-Type", "application/json"}},
                  Fill(config_.body, values).dump()};
    call.headers.emplace_back("Idempotency-Key", m.idempotency_id);
    for (const auto& [name, value] : config_.headers.items()) {
      call.headers.emplace_back(name, Substitute(value.get<std::string>(), values));
    }
    auto reply = http_.Send(call);
    if (!reply.ok()) return {AttemptOutcome::kRetry, "", reply.status().message()};
    const AttemptOutcome outcome = OutcomeForHttpStatus(reply->status);
    std::string id;
    if (outcome == AttemptOutcome::kOk && !config_.response_id_field.empty()) {
      auto body = ParseJson(reply->body);
      if (body.ok() && body->is_object() && body->contains(config_.response_id_field)) {
        const Json& value = (*body)[config_.response_id_field];
        id = value.is_string() ? value.get<std::string>() : value.dump();
      }
    }
    return {outcome, id, fmt::format("HTTP {}", reply->status)};
  }

  Result<std::vector<InboundItem>> ParseInbound(const http::Request& request) override {
    RETURN_IF_ERROR(CheckCallbackToken(request, config_.callback_token));
    ASSIGN_OR_RETURN(Json body, ParseJson(request.body));
    if (body.is_object()) body = Json::array({body});
    if (!body.is_array()) return InvalidArgumentError("expected a JSON array");
    std::vector<InboundItem> out;
    for (const Json& item : body) {
      if (!item.is_object()) return InvalidArgumentError("expected objects");
      InboundItem in;
      in.at = clock_.Now();
      if (item.contains("reply")) {
        in.kind = InboundItem::Kind::kReply;
        in.from_address = item.value("from", "");
        in.text = item.value("reply", "");
      } else {
        const auto state = ParseState(item.value("status", ""));
        if (!state) return InvalidArgumentError("status: expected delivered, failed or read");
        in.state = state;
        in.provider_message_id = item.value("id", "");
      }
      in.provider_event_id = item.value("event_id", "");
      out.push_back(std::move(in));
    }
    return out;
  }

 private:
  const WebhookConfig config_;
  HttpClient& http_;
  const Clock& clock_;
};

Result<std::unique_ptr<Channel>> Create(const Json& json, ChannelContext& context) {
  RETURN_IF_ERROR(RejectUnknownMembers(
      json, {"url", "method", "headers", "secret", "address_type", "consent_channel", "body",
             "response_id_field", "callback_token"}));
  WebhookConfig config;
  ASSIGN_OR_RETURN(config.url, ReadUrl(json, "url", context));
  ASSIGN_OR_RETURN(config.method, ReadOptionalString(json, "method", "POST", 8));
  if (config.method != "POST" && config.method != "PUT") {
    return InvalidArgumentError("expected POST or PUT", "/method");
  }
  if (json.contains("secret")) {
    ASSIGN_OR_RETURN(config.secret, ReadSecret(json, "secret", context));
  }
  if (json.contains("callback_token")) {
    ASSIGN_OR_RETURN(config.callback_token, ReadSecret(json, "callback_token", context));
  }
  ASSIGN_OR_RETURN(config.address_type, ReadString(json, "address_type", 32));
  ASSIGN_OR_RETURN(config.consent_channel,
                   ReadOptionalString(json, "consent_channel", "webhook", 32));
  if (!privacy::IsConsentChannel(config.consent_channel)) {
    return InvalidArgumentError("not a consent channel", "/consent_channel");
  }
  ASSIGN_OR_RETURN(config.response_id_field, ReadOptionalString(json, "response_id_field", "", 64));
  if (json.contains("headers")) {
    config.headers = json["headers"];
    if (!config.headers.is_object()) return InvalidArgumentError("expected an object", "/headers");
    for (const auto& [name, value] : config.headers.items()) {
      if (!value.is_string()) {
        return InvalidArgumentError("expected a string", JsonPointer("/headers", name));
      }
    }
  }
  if (!json.contains("body") || !json["body"].is_object()) {
    return InvalidArgumentError("expected an object", "/body");
  }
  config.body = json["body"];
  return std::unique_ptr<Channel>(new WebhookChannel(std::move(config), context));
}

}  // namespace

ChannelFactory WebhookChannelFactory() { return {"webhook", {"secret", "callback_token"}, Create}; }

}  // namespace banyan::messaging::channels
