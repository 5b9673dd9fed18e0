#include "messaging/channels/rcs/rcs_channel.h"

#include <fmt/format.h>

#include "messaging/channels/callback_auth.h"
#include "messaging/internal/signing.h"

namespace banyan::messaging::channels {
namespace {

struct RcsConfig {
  std::string endpoint, token, callback_token;
};

std::string Tel(std::string_view phone) {
  std::string digits;
  for (char c : phone) {
    if (c >= '0' && c <= '9') digits.push_back(c);
  }
  if (digits.size() == 13 && digits.starts_with("86")) digits.erase(0, 2);
  return "tel:+86" + digits;
}

Json Suggestions(const Json& list) {
  Json out = Json::array();
  for (const Json& s : list) {
    if (s.contains("url")) {
      out.push_back({{"action",
                      {{"displayText", s.value("text", "")},
                       {"urlAction", {{"openUrl", {{"url", s["url"]}}}}}}}});
    } else {
      out.push_back({{"reply", {{"displayText", s.value("reply", "")}}}});
    }
  }
  return out;
}

class RcsChannel final : public Channel {
 public:
  RcsChannel(RcsConfig config, ChannelContext& context)
      : config_(std::move(config)), http_(context.http), clock_(context.clock) {}

  std::string_view address_type() const override { return "phone"; }
  std::string_view consent_channel() const override { return "rcs"; }

  SendResult Send(const Outbound& m) override {
    const std::string contact = Tel(m.address);
    const std::vector<std::pair<std::string, std::string>> auth = {
        {"Authorization", "Bearer " + config_.token}};
    auto capable = http_.Send({"GET",
                               fmt::format("{}/contactCapabilities?userContact={}",
                                           config_.endpoint, internal::PercentEncode(contact)),
                               auth, ""});
    if (!capable.ok()) return {AttemptOutcome::kRetry, "", capable.status().message()};
    if (capable->status == 404) return {AttemptOutcome::kFallback, "", "not 5G-message capable"};
    if (capable->status != 200) {
      return {OutcomeForHttpStatus(capable->status), "",
              fmt::format("capabilities: HTTP {}", capable->status)};
    }
    auto capabilities = ParseJson(capable->body);
    if (!capabilities.ok() || capabilities->value("capabilities", Json::array()).empty()) {
      return {AttemptOutcome::kFallback, "", "not 5G-message capable"};
    }
    Json message = Json::object();
    if (m.content.contains("card")) {
      const Json& card = m.content["card"];
      message["richcardMessage"] = {{"message",
                                     {{"generalPurposeCard",
                                       {{"layout", {{"cardOrientation", "VERTICAL"}}},
                                        {"content",
                                         {{"title", card.value("title", "")},
                                          {"description", card.value("description", "")},
                                          {"media", card.value("media", Json::object())}}}}}}}};
    } else {
      message["textMessage"] = m.content.value("text", "");
    }
    Json body = {{"messageContact", {{"userContact", contact}}},
                 {"messageId", m.idempotency_id},
                 {"RCSMessage", message}};
    if (m.content.contains("suggestions")) {
      body["RCSMessage"]["suggestedChipList"] = {
          {"suggestions", Suggestions(m.content["suggestions"])}};
    }
    std::vector<std::pair<std::string, std::string>> headers = auth;
    headers.emplace_back("Content-Type", "application/json");
    auto reply = http_.Send({"POST", config_.endpoint + "/messages", headers, body.dump()});
    if (!reply.ok()) return {AttemptOutcome::kRetry, "", reply.status().message()};
    const AttemptOutcome outcome = OutcomeForHttpStatus(reply->status);
    return {outcome, outcome == AttemptOutcome::kOk ? m.idempotency_id : "",
            fmt::format("HTTP {}", reply->status)};
  }

  Result<std::vector<InboundItem>> ParseInbound(const http::Request& request) override {
    RETURN_IF_ERROR(CheckCallbackToken(request, config_.callback_token));
    ASSIGN_OR_RETURN(Json body, ParseJson(request.body));
    if (!body.is_object()) return InvalidArgumentError("expected an object");
    InboundItem item;
    item.provider_message_id = body.value("messageId", "");
    const std::string status = body.value("status", "");
    item.state = status == "displayed"   ? MessageState::kRead
                 : status == "delivered" ? MessageState::kDelivered
                                         : MessageState::kFailed;
    item.provider_event_id = item.provider_message_id + ":" + status;
    item.at = clock_.Now();
    return std::vector<InboundItem>{item};
  }

 private:
  const RcsConfig config_;
  HttpClient& http_;
  const Clock& clock_;
};

Result<std::unique_ptr<Channel>> Create(const Json& json, ChannelContext& context) {
  RETURN_IF_ERROR(RejectUnknownMembers(json, {"endpoint", "token", "callback_token"}));
  RcsConfig config;
  ASSIGN_OR_RETURN(config.endpoint, ReadUrl(json, "endpoint", context));
  while (config.endpoint.ends_with("/")) config.endpoint.pop_back();
  ASSIGN_OR_RETURN(config.token, ReadSecret(json, "token", context));
  ASSIGN_OR_RETURN(config.callback_token, ReadSecret(json, "callback_token", context));
  return std::unique_ptr<Channel>(new RcsChannel(std::move(config), context));
}

}  // namespace

ChannelFactory RcsChannelFactory() { return {"rcs", {"token", "callback_token"}, Create}; }

}  // namespace banyan::messaging::channels
