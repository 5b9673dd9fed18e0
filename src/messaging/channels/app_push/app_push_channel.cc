#include "messaging/channels/app_push/app_push_channel.h"

#include <fmt/format.h>

#include <algorithm>

#include "messaging/channels/callback_auth.h"

namespace banyan::messaging::channels {
namespace {

// Tokens travel in Outbound::address joined by this: identifier values never hold a control
// character (identity refuses them), so it cannot occur inside one.
constexpr char kTokenSeparator = '\n';

struct AppPushConfig {
  std::string url, token, auth_header, auth_scheme, address_type, response_id_field;
  std::string callback_token;
};

std::vector<std::string> SplitTokens(std::string_view address) {
  std::vector<std::string> out;
  size_t begin = 0;
  while (begin <= address.size()) {
    size_t end = address.find(kTokenSeparator, begin);
    if (end == std::string_view::npos) end = address.size();
    if (end > begin) out.emplace_back(address.substr(begin, end - begin));
    begin = end + 1;
  }
  return out;
}

std::string MemberText(const Json& content, const char* member) {
  const auto it = content.find(member);
  if (it == content.end()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

class AppPushChannel final : public Channel {
 public:
  AppPushChannel(AppPushConfig config, ChannelContext& context)
      : config_(std::move(config)), http_(context.http), clock_(context.clock) {}

  std::string_view address_type() const override { return config_.address_type; }
  std::string_view consent_channel() const override { return "app_push"; }

  // Every device the customer holds (up to kAppPushTokensMax), so the push reaches each.
  std::string PickAddress(std::span<const std::string> values) const override {
    std::string out;
    size_t taken = 0;
    for (const std::string& value : values) {
      if (value.empty() || taken == kAppPushTokensMax) continue;
      if (!out.empty()) out += kTokenSeparator;
      out += value;
      ++taken;
    }
    return out;
  }

  SendResult Send(const Outbound& m) override {
    const std::vector<std::string> tokens = SplitTokens(m.address);
    if (tokens.empty()) return {AttemptOutcome::kFallback, "", "no device token"};
    const std::string title = MemberText(m.content, "title");
    const std::string text = MemberText(m.content, "text");
    if (text.empty()) return {AttemptOutcome::kPermanent, "", "the message has no text"};
    if (title.size() > kAppPushTitleBytesMax || text.size() > kAppPushBodyBytesMax) {
      return {AttemptOutcome::kPermanent, "",
              fmt::format("title or body too long (at most {} / {} bytes)", kAppPushTitleBytesMax,
                          kAppPushBodyBytesMax)};
    }
    Json body = {{"id", m.idempotency_id}, {"tokens", tokens}};
    if (!title.empty()) body["title"] = title;
    body["body"] = text;
    const std::string link = MemberText(m.content, "url");
    if (!link.empty()) body["deep_link"] = link;
    body["purpose"] = PurposeName(m.purpose);
    HttpCall call{"POST",
                  config_.url,
                  {{"Content-Type", "application/json"}, {"Idempotency-Key", m.idempotency_id}},
                  body.dump()};
    call.headers.emplace_back(config_.auth_header, config_.auth_scheme.empty()
                                                       ? config_.token
                                                       : config_.auth_scheme + " " + config_.token);
    auto reply = http_.Send(call);
    if (!reply.ok()) return {AttemptOutcome::kRetry, "", reply.status().message()};
    const AttemptOutcome outcome = OutcomeForHttpStatus(reply->status);
    if (outcome != AttemptOutcome::kOk) {
      return {outcome, "", fmt::format("HTTP {}", reply->status)};
    }
    std::string id;
    auto answer = ParseJson(reply->body);
    if (answer.ok() && answer->is_object()) {
      const auto found = answer->find(config_.response_id_field);
      if (found != answer->end())
        id = found->is_string() ? found->get<std::string>() : found->dump();
      const auto failed = answer->find("failed_tokens");
      if (failed != answer->end() && failed->is_array()) {
        const bool all_failed = std::all_of(tokens.begin(), tokens.end(), [&](const auto& token) {
          return std::find(failed->begin(), failed->end(), Json(token)) != failed->end();
        });
        if (all_failed) {
          return {AttemptOutcome::kFallback, id,
                  fmt::format("the gateway refused all {} device tokens", tokens.size())};
        }
      }
    }
    return {AttemptOutcome::kOk, id, fmt::format("HTTP {}", reply->status)};
  }

  Result<std::vector<InboundItem>> ParseInbound(const http::Request& request) override {
    RETURN_IF_ERROR(CheckCallbackToken(request, config_.callback_token));
    ASSIGN_OR_RETURN(Json body, ParseJson(request.body));
    if (body.is_object()) body = Json::array({body});
    if (!body.is_array()) return InvalidArgumentError("expected a JSON array");
    std::vector<InboundItem> out;
    for (const Json& item : body) {
      if (!item.is_object()) return InvalidArgumentError("expected objects");
      const std::string status = item.value("status", "");
      const auto state = ParseState(status);
      if (!state || (*state != MessageState::kDelivered && *state != MessageState::kFailed &&
                     *state != MessageState::kRead && *state != MessageState::kClicked)) {
        return InvalidArgumentError("status: expected delivered, failed, read or clicked");
      }
      const Json id = item.value("message_id", Json());
      if (!(id.is_string() || id.is_number()) ||
          (id.is_string() && id.get<std::string>().empty())) {
        return InvalidArgumentError("message_id: required");
      }
      InboundItem in;
      in.kind = InboundItem::Kind::kReceipt;
      in.state = state;
      in.provider_message_id = id.is_string() ? id.get<std::string>() : id.dump();
      in.provider_event_id = item.value("event_id", "");
      if (in.provider_event_id.empty()) {
        in.provider_event_id = fmt::format("{}:{}", in.provider_message_id, status);
      }
      in.at = clock_.Now();
      out.push_back(std::move(in));
    }
    return out;
  }

 private:
  const AppPushConfig config_;
  HttpClient& http_;
  const Clock& clock_;
};

Result<std::unique_ptr<Channel>> Create(const Json& json, ChannelContext& context) {
  RETURN_IF_ERROR(
      RejectUnknownMembers(json, {"url", "token", "auth_header", "auth_scheme", "address_type",
                                  "response_id_field", "callback_token"}));
  AppPushConfig config;
  ASSIGN_OR_RETURN(config.url, ReadUrl(json, "url", context));
  ASSIGN_OR_RETURN(config.token, ReadSecret(json, "token", context));
  ASSIGN_OR_RETURN(config.auth_header,
                   ReadOptionalString(json, "auth_header", "Authorization", 64));
  const bool header_ok =
      std::all_of(config.auth_header.begin(), config.auth_header.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-';
      });
  if (!header_ok) return InvalidArgumentError("expected letters, digits and '-'", "/auth_header");
  if (json.contains("auth_scheme") && json["auth_scheme"] == "") {
    config.auth_scheme = "";  // the token is the whole header value
  } else {
    ASSIGN_OR_RETURN(config.auth_scheme, ReadOptionalString(json, "auth_scheme", "Bearer", 32));
  }
  ASSIGN_OR_RETURN(config.address_type, ReadOptionalString(json, "address_type", "device_id", 32));
  ASSIGN_OR_RETURN(config.response_id_field,
                   ReadOptionalString(json, "response_id_field", "message_id", 64));
  ASSIGN_OR_RETURN(config.callback_token, ReadSecret(json, "callback_token", context));
  return std::unique_ptr<Channel>(new AppPushChannel(std::move(config), context));
}

}  // namespace

ChannelFactory AppPushChannelFactory() { return {"app_push", {"token", "callback_token"}, Create}; }

}  // namespace banyan::messaging::channels
