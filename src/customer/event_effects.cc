#include "customer/event_effects.h"

#include <fmt/format.h>

#include "base/json.h"

namespace banyan::customer {

std::vector<profile::AttributeUpdate> ProfileUpdatesOf(const events::Event& event) {
  switch (event.type) {
    case events::EventType::kIdentify:
    case events::EventType::kProfileSetOnce:
    case events::EventType::kProfileIncrement:
    case events::EventType::kProfileAppend:
    case events::EventType::kProfileUnset:
      return profile::UpdatesFromTraits(event.type, event.traits, event.event_time,
                                        std::string(events::EventSourceName(event.source)));
    default:
      return {};
  }
}

Result<std::optional<privacy::ConsentFact>> ConsentOf(const events::Event& event) {
  if (event.type != events::EventType::kTrack || event.name != kConsentEventName) {
    return std::optional<privacy::ConsentFact>();
  }
  auto parsed = ParseJson(event.properties);
  if (!parsed.ok() || !parsed->is_object()) {
    return InvalidArgumentError("expected an object", "/properties");
  }
  const Json& properties = *parsed;
  privacy::ConsentFact fact;
  const auto purpose_member = properties.find("purpose");
  const auto purpose = purpose_member != properties.end() && purpose_member->is_string()
                           ? privacy::ParsePurpose(purpose_member->get<std::string>())
                           : std::nullopt;
  if (!purpose) {
    return InvalidArgumentError("expected one of marketing, personalised_marketing, data_sharing",
                                "/properties/purpose");
  }
  fact.purpose = *purpose;
  if (const auto channel = properties.find("channel"); channel != properties.end()) {
    if (!channel->is_string() || !privacy::IsConsentChannel(channel->get<std::string>())) {
      return InvalidArgumentError("expected a consent channel (sms, wechat, ..., all)",
                                  "/properties/channel");
    }
    fact.channel = channel->get<std::string>();
  }
  const auto granted = properties.find("granted");
  if (granted == properties.end() || !granted->is_boolean()) {
    return InvalidArgumentError("expected true or false", "/properties/granted");
  }
  fact.granted = granted->get<bool>();
  Json evidence = Json::object();
  if (const auto given = properties.find("evidence"); given != properties.end()) {
    if (!given->is_object()) {
      return InvalidArgumentError("expected an object", "/properties/evidence");
    }
    evidence = *given;
  }
  evidence["message_id"] = event.message_id;
  fact.evidence = evidence.dump();
  fact.at = event.event_time;
  fact.source = "sdk";
  fact.idempotency_key = fmt::format("event:{}:{}", event.write_key_id, event.message_id);
  return std::optional<privacy::ConsentFact>(std::move(fact));
}

}  // namespace banyan::customer
