#include "messaging/channel.h"

#include <fmt/format.h>

#include <algorithm>

namespace banyan::messaging {

Result<std::vector<InboundItem>> Channel::ParseInbound(const http::Request&) {
  return NotFoundError("this channel takes no callbacks");
}

Result<http::Response> Channel::AnswerVerification(const http::Request&) {
  return NotFoundError("this channel has no callback verification");
}

std::string Channel::PickAddress(std::span<const std::string> values) const {
  return values.empty() ? "" : values.front();
}

Result<std::vector<InboundItem>> Channel::Poll(std::span<const std::string>) {
  return std::vector<InboundItem>{};
}

http::Response Channel::InboundAck() const { return http::Response::Json(200, R"({"ok":true})"); }

const ChannelFactory* FindChannelFactory(std::string_view kind) {
  for (const ChannelFactory& factory : ChannelFactories()) {
    if (factory.kind == kind) return &factory;
  }
  return nullptr;
}

Json RedactSecrets(std::string_view kind, const Json& config) {
  Json out = config;
  const ChannelFactory* factory = FindChannelFactory(kind);
  if (factory == nullptr || !out.is_object()) return out;
  for (std::string_view member : factory->secret_members) {
    const std::string key(member);
    if (out.contains(key)) {
      // An environment reference is not itself a secret: showing it tells operators where the
      // value comes from.
      const Json& value = out[key];
      if (!(value.is_object() && value.contains("env"))) out[key] = kRedactedSecret;
    }
  }
  return out;
}

Result<Json> KeepStoredSecrets(std::string_view kind, Json config, std::string_view stored_kind,
                               const Json* stored) {
  const ChannelFactory* factory = FindChannelFactory(kind);
  if (factory == nullptr || !config.is_object()) return config;
  for (std::string_view member : factory->secret_members) {
    const std::string key(member);
    const auto it = config.find(key);
    if (it == config.end() || !it->is_string() ||
        it->get_ref<const std::string&>() != kRedactedSecret) {
      continue;
    }
    const bool kept =
        stored != nullptr && stored_kind == kind && stored->is_object() && stored->contains(key);
    if (!kept) {
      return InvalidArgumentError(
          fmt::format("\"{}\" keeps the stored secret, and none is stored for this member",
                      kRedactedSecret),
          JsonPointer("/config", member));
    }
    *it = (*stored)[key];
  }
  return config;
}

Result<std::string> ReadString(const Json& config, std::string_view member, size_t length_max) {
  const std::string pointer = JsonPointer("", member);
  const auto it = config.find(std::string(member));
  if (it == config.end()) return InvalidArgumentError("required", pointer);
  if (!it->is_string()) return InvalidArgumentError("expected a string", pointer);
  const auto& text = it->get_ref<const std::string&>();
  if (text.empty() || text.size() > length_max) {
    return InvalidArgumentError(fmt::format("expected 1..{} bytes", length_max), pointer);
  }
  return text;
}

Result<std::string> ReadOptionalString(const Json& config, std::string_view member,
                                       std::string fallback, size_t length_max) {
  if (!config.contains(std::string(member))) return fallback;
  return ReadString(config, member, length_max);
}

Result<std::string> ReadSecret(const Json& config, std::string_view member,
                               const ChannelContext& context) {
  const std::string pointer = JsonPointer("", member);
  const auto it = config.find(std::string(member));
  if (it == config.end()) return InvalidArgumentError("required", pointer);
  if (it->is_object()) {
    const auto name = it->find("env");
    if (name == it->end() || !name->is_string() || it->size() != 1) {
      return InvalidArgumentError("expected a string or {\"env\": \"NAME\"}", pointer);
    }
    const auto value = context.env.find(name->get<std::string>());
    if (value == context.env.end() || value->second.empty()) {
      return InvalidArgumentError(
          fmt::format("environment variable {} is not set", name->get<std::string>()), pointer);
    }
    return value->second;
  }
  return ReadString(config, member, 4096);
}

Result<std::string> ReadUrl(const Json& config, std::string_view member,
                            const ChannelContext& context) {
  ASSIGN_OR_RETURN(std::string url, ReadString(config, member, 2048));
  Status ok = context.http.CheckUrl(url);
  if (!ok.ok()) return InvalidArgumentError(ok.message(), JsonPointer("", member));
  return url;
}

Status RejectUnknownMembers(const Json& config, std::initializer_list<std::string_view> own) {
  if (!config.is_object()) return InvalidArgumentError("expected an object", "/");
  for (const auto& [key, value] : config.items()) {
    const bool common =
        std::find(std::begin(kCommonChannelMembers), std::end(kCommonChannelMembers), key) !=
        std::end(kCommonChannelMembers);
    if (!common && std::find(own.begin(), own.end(), key) == own.end()) {
      return InvalidArgumentError("unknown member", JsonPointer("", key));
    }
  }
  return Status::Ok();
}

AttemptOutcome OutcomeForHttpStatus(int status) {
  if (status >= 200 && status < 300) return AttemptOutcome::kOk;
  if (status == 408 || status == 429 || status >= 500) return AttemptOutcome::kRetry;
  return AttemptOutcome::kPermanent;
}

}  // namespace banyan::messaging
