#include "messaging/channels/sms/sms_channel.h"

#include <fmt/format.h>

#include "base/time.h"
#include "messaging/channels/callback_auth.h"
#include "messaging/internal/signing.h"

namespace banyan::messaging::channels {
namespace {

using internal::HmacSha256;
using internal::Sha256Hex;

struct SmsConfig {
  bool tencent = false;
  std::string endpoint, access_key_id, access_key_secret, sign_name, sdk_app_id, region;
  std::string callback_token, unsubscribe_param;
};

std::string Digits(std::string_view phone) {
  std::string out;
  for (char c : phone) {
    if (c >= '0' && c <= '9') out.push_back(c);
  }
  if (out.size() == 13 && out.starts_with("86")) out.erase(0, 2);
  return out;
}

std::string HostOf(std::string_view url) {
  std::string_view rest = url.substr(url.find("://") + 3);
  return std::string(rest.substr(0, rest.find('/')));
}

// Template parameters in the provider's order, with the unsubscribe suffix for marketing.
Result<std::vector<std::pair<std::string, std::string>>> Params(const Outbound& m,
                                                                const SmsConfig& config) {
  std::vector<std::pair<std::string, std::string>> out;
  const auto params = m.content.find("params");
  if (params != m.content.end()) {
    if (!params->is_object()) return InvalidArgumentError("params: expected an object");
    for (const auto& [name, value] : params->items()) {
      out.emplace_back(name, value.is_string() ? value.get<std::string>() : value.dump());
    }
  }
  if (m.purpose == Purpose::kMarketing) {
    out.emplace_back(config.unsubscribe_param, std::string(kMarketingSmsSuffix));
  }
  return out;
}

class SmsChannel final : public Channel {
 public:
  SmsChannel(SmsConfig config, ChannelContext& context)
      : config_(std::move(config)), http_(context.http), clock_(context.clock) {}

  std::string_view address_type() const override { return "phone"; }
  std::string_view consent_channel() const override { return "sms"; }
  bool FreeText() const override { return false; }

  SendResult Send(const Outbound& m) override {
    const auto code = m.content.find("template_code");
    if (code == m.content.end() || !code->is_string()) {
      return {AttemptOutcome::kPermanent, "", "the template body has no template_code"};
    }
    auto params = Params(m, config_);
    if (!params.ok()) return {AttemptOutcome::kPermanent, "", params.status().message()};
    return config_.tencent ? SendTencent(m, code->get<std::string>(), *params)
                           : SendAliyun(m, code->get<std::string>(), *params);
  }

  Result<std::vector<InboundItem>> ParseInbound(const http::Request& request) override {
    RETURN_IF_ERROR(CheckCallbackToken(request, config_.callback_token));
    ASSIGN_OR_RETURN(Json body, ParseJson(request.body));
    if (body.is_object()) body = Json::array({body});
    if (!body.is_array()) return InvalidArgumentError("expected a JSON array");
    std::vector<InboundItem> out;
    for (const Json& item : body) {
      if (!item.is_object()) return InvalidArgumentError("expected objects");
      out.push_back(config_.tencent ? TencentItem(item) : AliyunItem(item));
    }
    return out;
  }

 private:
  SendResult SendAliyun(const Outbound& m, const std::string& code,
                        const std::vector<std::pair<std::string, std::string>>& params) {
    Json template_param = Json::object();
    for (const auto& [name, value] : params) template_param[name] = value;
    const std::string timestamp =
        FormatRfc3339(std::chrono::floor<std::chrono::seconds>(clock_.Now()));
    // Sorted by name: the canonical order of Aliyun's RPC signature (sent in the same order).
    std::vector<std::pair<std::string, std::string>> fields = {
        {"AccessKeyId", config_.access_key_id},
        {"Action", "SendSms"},
        {"Format", "JSON"},
        {"OutId", m.idempotency_id},
        {"PhoneNumbers", Digits(m.address)},
        {"SignName", config_.sign_name},
        {"SignatureMethod", "HMAC-SHA1"},
        {"SignatureNonce", m.idempotency_id + "-" + timestamp},
        {"SignatureVersion", "1.0"},
        {"TemplateCode", code},
        {"TemplateParam", template_param.dump()},
        {"Timestamp", timestamp},
        {"Version", "2017-05-25"},
    };
    const std::string signature =
        internal::AliyunRpcSignature("POST", fields, config_.access_key_secret);
    fields.emplace_back("Signature", signature);
    HttpCall call{"POST",
                  config_.endpoint,
                  {{"Content-Type", "application/x-www-form-urlencoded"}},
                  internal::FormEncode(fields)};
    auto reply = http_.Send(call);
    if (!reply.ok()) return {AttemptOutcome::kRetry, "", reply.status().message()};
    auto body = ParseJson(reply->body);
    const std::string result = body.ok() ? body->value("Code", "") : "";
    if (reply->status == 200 && result == "OK") {
      return {AttemptOutcome::kOk, body->value("BizId", ""), "OK"};
    }
    AttemptOutcome outcome = OutcomeForHttpStatus(reply->status);
    if (outcome == AttemptOutcome::kOk) outcome = AttemptOutcome::kPermanent;
    if (result == "isv.BUSINESS_LIMIT_CONTROL" || result == "SignatureNonceUsed" ||
        result.starts_with("Throttling")) {
      outcome = AttemptOutcome::kRetry;
    }
    return {outcome, "", fmt::format("HTTP {} {}", reply->status, result)};
  }

  SendResult SendTencent(const Outbound& m, const std::string& code,
                         const std::vector<std::pair<std::string, std::string>>& params) {
    Json values = Json::array();
    for (const auto& [name, value] : params) values.push_back(value);
    const Json payload = {{"PhoneNumberSet", {"+86" + Digits(m.address)}},
                          {"SmsSdkAppId", config_.sdk_app_id},
                          {"SignName", config_.sign_name},
                          {"TemplateId", code},
                          {"TemplateParamSet", values},
                          {"SessionContext", m.idempotency_id}};
    const std::string body = payload.dump();
    const int64_t now = ToUnixSeconds(clock_.Now());
    const std::string date = FormatDate(cctz::civil_day(
        cctz::convert(std::chrono::system_clock::from_time_t(now), cctz::utc_time_zone())));
    const std::string host = HostOf(config_.endpoint);
    const std::string content_type = "application/json; charset=utf-8";
    const std::string canonical =
        fmt::format("POST\n/\n\ncontent-type:{}\nhost:{}\n\ncontent-type;host\n{}", content_type,
                    host, Sha256Hex(body));
    const std::string scope = date + "/sms/tc3_request";
    const std::string to_sign =
        fmt::format("TC3-HMAC-SHA256\n{}\n{}\n{}", now, scope, Sha256Hex(canonical));
    const std::string key = HmacSha256(
        HmacSha256(HmacSha256("TC3" + config_.access_key_secret, date), "sms"), "tc3_request");
    const std::string authorization = fmt::format(
        "TC3-HMAC-SHA256 Credential={}/{}, SignedHeaders=content-type;host, Signature={}",
        config_.access_key_id, scope, internal::Hex(HmacSha256(key, to_sign)));
    HttpCall call{"POST",
                  config_.endpoint,
                  {{"Content-Type", content_type},
                   {"Authorization", authorization},
                   {"X-TC-Action", "SendSms"},
                   {"X-TC-Version", "2021-01-11"},
                   {"X-TC-Timestamp", std::to_string(now)},
                   {"X-TC-Region", config_.region}},
                  body};
    auto reply = http_.Send(call);
    if (!reply.ok()) return {AttemptOutcome::kRetry, "", reply.status().message()};
    auto parsed = ParseJson(reply->body);
    if (reply->status != 200 || !parsed.ok()) {
      AttemptOutcome outcome = OutcomeForHttpStatus(reply->status);
      if (outcome == AttemptOutcome::kOk) outcome = AttemptOutcome::kRetry;  // unparsable body
      return {outcome, "", fmt::format("HTTP {}", reply->status)};
    }
    const Json response = parsed->value("Response", Json::object());
    if (response.contains("Error")) {
      const std::string error = response["Error"].value("Code", "");
      const bool transient = error.starts_with("LimitExceeded") ||
                             error.starts_with("InternalError") ||
                             error.starts_with("RequestLimitExceeded");
      return {transient ? AttemptOutcome::kRetry : AttemptOutcome::kPermanent, "", error};
    }
    const Json statuses = response.value("SendStatusSet", Json::array());
    if (statuses.empty()) return {AttemptOutcome::kRetry, "", "no SendStatusSet"};
    const std::string status = statuses[0].value("Code", "");
    if (status == "Ok") return {AttemptOutcome::kOk, statuses[0].value("SerialNo", ""), "Ok"};
    const bool transient = status.starts_with("LimitExceeded");
    return {transient ? AttemptOutcome::kRetry : AttemptOutcome::kPermanent, "", status};
  }

  InboundItem AliyunItem(const Json& item) const {
    InboundItem out;
    if (item.contains("content")) {
      out.kind = InboundItem::Kind::kReply;
      out.from_address = item.value("phone_number", "");
      out.text = item.value("content", "");
      out.provider_event_id = "mo:" + std::to_string(item.value("sequence_id", int64_t{0}));
    } else {
      out.state = item.value("success", false) ? MessageState::kDelivered : MessageState::kFailed;
      out.provider_message_id = item.value("biz_id", "");
      out.provider_event_id = "dr:" + out.provider_message_id;
    }
    const auto at = ParseRfc3339(item.value("report_time", item.value("send_time", "")));
    out.at = at.ok() ? *at : clock_.Now();
    return out;
  }

  InboundItem TencentItem(const Json& item) const {
    InboundItem out;
    if (item.contains("text")) {
      out.kind = InboundItem::Kind::kReply;
      out.from_address = item.value("mobile", "");
      out.text = item.value("text", "");
      out.provider_event_id =
          fmt::format("mo:{}:{}", out.from_address, item.value("time", int64_t{0}));
      out.at = FromUnixMicros(item.value("time", int64_t{0}) * 1'000'000);
    } else {
      out.state = item.value("report_status", "") == "SUCCESS" ? MessageState::kDelivered
                                                               : MessageState::kFailed;
      out.provider_message_id = item.value("sid", "");
      out.provider_event_id = "dr:" + out.provider_message_id;
      out.at = clock_.Now();
    }
    if (out.at == Timestamp{}) out.at = clock_.Now();
    return out;
  }

  const SmsConfig config_;
  HttpClient& http_;
  const Clock& clock_;
};

Result<std::unique_ptr<Channel>> Create(const Json& json, ChannelContext& context) {
  RETURN_IF_ERROR(RejectUnknownMembers(
      json, {"provider", "endpoint", "access_key_id", "access_key_secret", "sign_name",
             "sdk_app_id", "region", "callback_token", "unsubscribe_param"}));
  SmsConfig config;
  ASSIGN_OR_RETURN(const std::string provider, ReadString(json, "provider", 16));
  if (provider != "aliyun" && provider != "tencent") {
    return InvalidArgumentError("expected \"aliyun\" or \"tencent\"", "/provider");
  }
  config.tencent = provider == "tencent";
  ASSIGN_OR_RETURN(config.endpoint, ReadUrl(json, "endpoint", context));
  ASSIGN_OR_RETURN(config.access_key_id, ReadString(json, "access_key_id", 128));
  ASSIGN_OR_RETURN(config.access_key_secret, ReadSecret(json, "access_key_secret", context));
  ASSIGN_OR_RETURN(config.sign_name, ReadString(json, "sign_name", 64));
  if (config.tencent) {
    ASSIGN_OR_RETURN(config.sdk_app_id, ReadString(json, "sdk_app_id", 64));
    ASSIGN_OR_RETURN(config.region, ReadOptionalString(json, "region", "ap-guangzhou", 64));
  }
  ASSIGN_OR_RETURN(config.callback_token, ReadSecret(json, "callback_token", context));
  ASSIGN_OR_RETURN(config.unsubscribe_param,
                   ReadOptionalString(json, "unsubscribe_param", "unsubscribe", 64));
  return std::unique_ptr<Channel>(new SmsChannel(std::move(config), context));
}

}  // namespace

ChannelFactory SmsChannelFactory() {
  return {"sms", {"access_key_secret", "callback_token"}, Create};
}

}  // namespace banyan::messaging::channels
