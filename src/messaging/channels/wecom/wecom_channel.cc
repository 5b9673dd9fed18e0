#include "messaging/channels/wecom/wecom_channel.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "base/logging.h"
#include "messaging/channels/access_token.h"
#include "messaging/internal/signing.h"

namespace banyan::messaging::channels {
namespace {

constexpr int64_t kErrInvalidToken = 40014;
constexpr int64_t kErrExpiredToken = 42001;

struct WecomConfig {
  std::string corp_id, secret, api_base, default_sender;
  std::map<int64_t, std::string> senders;  // staff id → WeCom userid
};

// What a WeCom API call answered: the parsed body with errcode 0, or why not.
struct ApiAnswer {
  AttemptOutcome outcome = AttemptOutcome::kRetry;
  Json body;
  std::string detail;
};

class WecomChannel final : public Channel {
 public:
  WecomChannel(WecomConfig config, ChannelContext& context)
      : config_(std::move(config)),
        http_(context.http),
        clock_(context.clock),
        tokens_(fmt::format("{}/cgi-bin/gettoken?corpid={}&corpsecret={}", config_.api_base,
                            internal::PercentEncode(config_.corp_id),
                            internal::PercentEncode(config_.secret)),
                "gettoken", context.http, context.clock) {}

  std::string_view address_type() const override { return "wecom_external_userid"; }
  std::string_view consent_channel() const override { return "wecom"; }
  bool Polls() const override { return true; }
  int DailyCapPerRecipient() const override { return 1; }

  SendResult Send(const Outbound& m) override {
    std::string sender = config_.default_sender;
    if (m.rm_id) {
      const auto it = config_.senders.find(*m.rm_id);
      if (it != config_.senders.end()) sender = it->second;
    }
    if (sender.empty()) {
      return {AttemptOutcome::kFallback, "",
              m.rm_id ? fmt::format("no WeCom sender for relationship manager {}", *m.rm_id)
                      : std::string("the customer has no relationship manager and no "
                                    "default_sender is configured")};
    }
    const std::string text = m.content.value("text", "");
    if (text.empty()) return {AttemptOutcome::kPermanent, "", "the message has no text"};
    if (text.size() > kWecomTextBytesMax) {
      return {AttemptOutcome::kPermanent, "",
              fmt::format("text longer than {} bytes", kWecomTextBytesMax)};
    }
    Json body = {{"chat_type", "single"},
                 {"external_userid", Json::array({m.address})},
                 {"sender", sender},
                 {"allow_select", false},
                 {"text", {{"content", text}}}};
    const auto link = m.content.find("link");
    if (link != m.content.end() && link->is_object()) {
      body["attachments"] = Json::array({Json{{"msgtype", "link"}, {"link", *link}}});
    }
    ApiAnswer answer = Call("/cgi-bin/externalcontact/add_msg_template", body);
    if (answer.outcome != AttemptOutcome::kOk) return {answer.outcome, "", answer.detail};
    const Json failed = answer.body.value("fail_list", Json::array());
    if (failed.is_array() && !failed.empty()) {
      return {AttemptOutcome::kFallback, "",
              fmt::format("the customer is not a WeCom contact of {}", sender)};
    }
    const std::string msgid = answer.body.value("msgid", "");
    if (msgid.empty()) return {AttemptOutcome::kRetry, "", "no msgid in the answer"};
    return {AttemptOutcome::kOk, fmt::format("{}:{}", msgid, sender), "task created"};
  }

  Result<std::vector<InboundItem>> Poll(std::span<const std::string> provider_ids) override {
    std::vector<InboundItem> out;
    int errors = 0;
    for (const std::string& id : provider_ids) {
      const auto colon = id.find(':');
      if (colon == std::string::npos) continue;
      const Json body = {{"msgid", id.substr(0, colon)},
                         {"userid", id.substr(colon + 1)},
                         {"limit", kWecomResultPageMax}};
      ApiAnswer answer = Call("/cgi-bin/externalcontact/get_groupmsg_send_result", body);
      if (answer.outcome != AttemptOutcome::kOk) {
        ++errors;
        continue;
      }
      const Json list = answer.body.value("send_list", Json::array());
      if (!list.is_array() || list.empty()) continue;
      // One customer per task: its one entry decides.
      const Json& entry = list.front();
      const int64_t status = entry.value("status", int64_t{0});
      if (status == 0) continue;  // the relationship manager has not confirmed yet
      InboundItem item;
      item.kind = InboundItem::Kind::kReceipt;
      item.provider_message_id = id;
      item.provider_event_id = fmt::format("result:{}:{}", id, status);
      item.state = status == 1 ? MessageState::kDelivered : MessageState::kFailed;
      const int64_t sent_at = entry.value("send_time", int64_t{0});
      item.at = sent_at > 0 ? FromUnixMicros(sent_at * 1'000'000) : clock_.Now();
      out.push_back(std::move(item));
    }
    if (errors > 0 && out.empty() && errors == static_cast<int>(provider_ids.size())) {
      return UnavailableError(fmt::format("get_groupmsg_send_result failed {} times", errors));
    }
    return out;
  }

 private:
  // POSTs `body` to `path` with the access token, fetching the token again once when WeCom says
  // it is invalid or expired.
  ApiAnswer Call(std::string_view path, const Json& body) {
    for (int round = 0; round < 2; ++round) {
      auto token = Token(round > 0);
      if (!token.ok()) return {AttemptOutcome::kRetry, Json(), token.status().message()};
      HttpCall call{"POST",
                    fmt::format("{}{}?access_token={}", config_.api_base, path,
                                internal::PercentEncode(*token)),
                    {{"Content-Type", "application/json"}},
                    body.dump()};
      auto reply = http_.Send(call);
      if (!reply.ok()) return {AttemptOutcome::kRetry, Json(), reply.status().message()};
      if (reply->status != 200) {
        return {OutcomeForHttpStatus(reply->status), Json(), fmt::format("HTTP {}", reply->status)};
      }
      auto answer = ParseJson(reply->body);
      if (!answer.ok() || !answer->is_object()) {
        return {AttemptOutcome::kRetry, Json(), "unparsable answer"};
      }
      const int64_t code = answer->value("errcode", int64_t{0});
      if (code == 0) return {AttemptOutcome::kOk, std::move(*answer), "ok"};
      if (code == kErrInvalidToken || code == kErrExpiredToken) continue;
      // -1: system busy; 45009: API frequency limit; 45033: concurrency limit.
      const bool transient = code == -1 || code == 45009 || code == 45033;
      return {transient ? AttemptOutcome::kRetry : AttemptOutcome::kPermanent, Json(),
              fmt::format("errcode {}", code)};
    }
    return {AttemptOutcome::kRetry, Json(), "access token refused twice"};
  }

  Result<std::string> Token(bool refresh) { return tokens_.Get(refresh); }

  const WecomConfig config_;
  HttpClient& http_;
  const Clock& clock_;
  AccessTokenCache tokens_;
};

bool IsUserid(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.' || c == '@';
  });
}

Result<std::unique_ptr<Channel>> Create(const Json& json, ChannelContext& context) {
  RETURN_IF_ERROR(
      RejectUnknownMembers(json, {"corp_id", "secret", "api_base", "senders", "default_sender"}));
  WecomConfig config;
  ASSIGN_OR_RETURN(config.corp_id, ReadString(json, "corp_id", 64));
  ASSIGN_OR_RETURN(config.secret, ReadSecret(json, "secret", context));
  config.api_base = "https://qyapi.weixin.qq.com";
  if (json.contains("api_base")) {
    ASSIGN_OR_RETURN(config.api_base, ReadUrl(json, "api_base", context));
  }
  ASSIGN_OR_RETURN(config.default_sender, ReadOptionalString(json, "default_sender", "", 64));
  if (!config.default_sender.empty() && !IsUserid(config.default_sender)) {
    return InvalidArgumentError("expected a WeCom userid", "/default_sender");
  }
  if (json.contains("senders")) {
    const Json& senders = json["senders"];
    if (!senders.is_object()) return InvalidArgumentError("expected an object", "/senders");
    if (senders.size() > kWecomSendersMax) {
      return InvalidArgumentError(fmt::format("at most {} senders", kWecomSendersMax), "/senders");
    }
    for (const auto& [staff, userid] : senders.items()) {
      const std::string pointer = JsonPointer("/senders", staff);
      int64_t id = 0;
      const auto [end, error] = std::from_chars(staff.data(), staff.data() + staff.size(), id);
      if (error != std::errc() || end != staff.data() + staff.size() || id <= 0) {
        return InvalidArgumentError("expected a staff id as the member name", pointer);
      }
      if (!userid.is_string() || !IsUserid(userid.get_ref<const std::string&>())) {
        return InvalidArgumentError("expected a WeCom userid", pointer);
      }
      config.senders[id] = userid.get<std::string>();
    }
  }
  if (config.senders.empty() && config.default_sender.empty()) {
    return InvalidArgumentError("senders or default_sender is required", "/senders");
  }
  return std::unique_ptr<Channel>(new WecomChannel(std::move(config), context));
}

}  // namespace

ChannelFactory WecomChannelFactory() { return {"wecom", {"secret"}, Create}; }

}  // namespace banyan::messaging::channels
