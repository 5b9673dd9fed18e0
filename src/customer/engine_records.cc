#include "customer/engine_records.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <set>

#include "base/json.h"
#include "base/time.h"

namespace banyan::customer {
namespace {

using privacy::MaskRule;
using profile::AttributeType;

// The consent channels (privacy/consent.h) an "all" fact speaks for.
constexpr std::array<std::string_view, 8> kConsentChannels = {
    "sms", "wechat", "wecom", "rcs", "email", "app_push", "phone", "webhook"};

bool NamesAPerson(const profile::AttributeDef& def) {
  switch (def.mask) {
    case MaskRule::kName:
    case MaskRule::kPhone:
    case MaskRule::kIdNumber:
    case MaskRule::kCardNumber:
    case MaskRule::kEmail:
    case MaskRule::kAddress:
      return true;
    default:
      return false;
  }
}

// "523410.25" at scale 2 → 52341025. Rounds extra fraction digits toward zero (the schema never
// stores more than the scale).
Result<int64_t> ScaledDecimal(std::string_view text, int scale) {
  const bool negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);
  const size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  std::string_view fraction = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  if (fraction.size() > static_cast<size_t>(scale)) fraction = fraction.substr(0, scale);
  std::string digits(whole);
  digits.append(fraction);
  digits.append(static_cast<size_t>(scale) - fraction.size(), '0');
  int64_t value = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size() || whole.empty()) {
    return InvalidArgumentError(fmt::format("not a decimal: {}", text));
  }
  return negative ? -value : value;
}

Result<engine::AttributeValue> FromJson(const profile::AttributeDef& def, const Json& json) {
  switch (def.type) {
    case AttributeType::kString:
    case AttributeType::kEnum:
      if (json.is_string()) return engine::AttributeValue(json.get<std::string>());
      break;
    case AttributeType::kInteger:
      if (json.is_number_integer()) return engine::AttributeValue(json.get<int64_t>());
      break;
    case AttributeType::kDecimal:
      if (json.is_string()) {
        ASSIGN_OR_RETURN(int64_t scaled,
                         ScaledDecimal(json.get<std::string>(), profile::DecimalScale(def)));
        return engine::AttributeValue(scaled);
      }
      break;
    case AttributeType::kBoolean:
      if (json.is_boolean()) return engine::AttributeValue(json.get<bool>());
      break;
    case AttributeType::kDate:
      if (json.is_string()) {
        ASSIGN_OR_RETURN(CivilDay day, ParseDate(json.get<std::string>()));
        return engine::AttributeValue(int64_t{day - CivilDay(1970, 1, 1)});
      }
      break;
    case AttributeType::kTimestamp:
      if (json.is_string()) {
        ASSIGN_OR_RETURN(Timestamp at, ParseRfc3339(json.get<std::string>()));
        return engine::AttributeValue(
            std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count());
      }
      break;
    case AttributeType::kStringList:
      if (json.is_array()) {
        std::vector<std::string> items;
        for (const Json& item : json) {
          if (!item.is_string()) return InvalidArgumentError("string_list item is not a string");
          items.push_back(item.get<std::string>());
        }
        return engine::AttributeValue(std::move(items));
      }
      break;
  }
  return InvalidArgumentError(
      fmt::format("{}: not a {}", def.name, profile::AttributeTypeName(def.type)));
}

// The consent attributes of one customer (see the header).
void AddConsents(engine::PersonId person, std::span<const privacy::ConsentState> consents,
                 std::vector<engine::AttributeChange>& out,
                 std::vector<engine::AttributeSpec>* specs) {
  std::set<std::pair<privacy::Purpose, std::string>> answered;
  for (const privacy::ConsentState& state : consents) {
    if (state.channel == privacy::kAllChannels) {
      answered.emplace(state.purpose, std::string(privacy::kAllChannels));
      for (std::string_view channel : kConsentChannels) {
        answered.emplace(state.purpose, std::string(channel));
      }
    } else {
      answered.emplace(state.purpose, state.channel);
    }
  }
  for (const auto& [purpose, channel] : answered) {
    std::string name = ConsentAttributeName(purpose, channel);
    bool allowed = false;
    if (channel == privacy::kAllChannels) {
      for (const auto& state : consents) {
        if (state.purpose == purpose && state.channel == channel) allowed = state.granted;
      }
    } else {
      allowed = privacy::Allows(consents, purpose, channel);
    }
    if (specs) specs->push_back({name, engine::AttributeKind::kBoolean});
    out.push_back({person, std::move(name), allowed});
  }
}

}  // namespace

std::optional<engine::AttributeSpec> EngineAttributeSpec(const profile::AttributeDef& def) {
  if (def.name == "name" || def.name == "address" || def.name == "birth_date") return std::nullopt;
  if (NamesAPerson(def)) return std::nullopt;
  engine::AttributeKind kind = engine::AttributeKind::kString;
  switch (def.type) {
    case AttributeType::kString:
    case AttributeType::kEnum:
      kind = engine::AttributeKind::kString;
      break;
    case AttributeType::kInteger:
      kind = engine::AttributeKind::kInteger;
      break;
    case AttributeType::kDecimal:
      kind = engine::AttributeKind::kDecimal;
      break;
    case AttributeType::kBoolean:
      kind = engine::AttributeKind::kBoolean;
      break;
    case AttributeType::kDate:
      kind = engine::AttributeKind::kDate;
      break;
    case AttributeType::kTimestamp:
      kind = engine::AttributeKind::kTimestamp;
      break;
    case AttributeType::kStringList:
      kind = engine::AttributeKind::kStringList;
      break;
  }
  return engine::AttributeSpec{def.name, kind};
}

std::vector<engine::AttributeSpec> EngineAttributeSpecs(const profile::AttributeSchema& schema) {
  std::vector<engine::AttributeSpec> specs;
  for (const profile::AttributeDef& def : schema.List()) {
    if (auto spec = EngineAttributeSpec(def)) specs.push_back(std::move(*spec));
  }
  return specs;
}

std::string ConsentAttributeName(privacy::Purpose purpose, std::string_view channel) {
  return fmt::format("consent.{}.{}", privacy::PurposeName(purpose), channel);
}

Result<engine::AttributeValue> EngineValueOf(const profile::AttributeDef& def,
                                             std::string_view canonical_json) {
  ASSIGN_OR_RETURN(Json json, ParseJson(canonical_json));
  return FromJson(def, json);
}

std::vector<engine::AttributeChange> EngineAttributesOf(
    engine::PersonId person, const profile::Profile& profile,
    std::span<const privacy::ConsentState> consents, const profile::AttributeSchema& schema,
    std::vector<engine::AttributeSpec>* consent_specs, int64_t* skipped) {
  std::vector<engine::AttributeChange> changes;
  for (const profile::AttributeDef& def : schema.List()) {
    if (!EngineAttributeSpec(def)) continue;
    engine::AttributeChange change{person, def.name, std::monostate{}};
    if (def.name == "age") {
      if (profile.age) change.value = *profile.age;
    } else if (auto found = profile.attributes.find(def.name); found != profile.attributes.end()) {
      Result<engine::AttributeValue> value = EngineValueOf(def, found->second.json);
      if (value.ok()) {
        change.value = std::move(value).value();
      } else if (skipped) {
        ++*skipped;
      }
    }
    changes.push_back(std::move(change));
  }
  AddConsents(person, consents, changes, consent_specs);
  return changes;
}

namespace {

// Adds the top-level members of `properties_json` that the engine can hold.
void AddProperties(std::string_view properties_json, engine::EventRecord& record,
                   int64_t* skipped) {
  Result<Json> properties = ParseJson(properties_json);
  if (!properties.ok() || !properties->is_object()) {
    if (skipped && properties_json != "{}") ++*skipped;
    return;
  }
  for (const auto& [key, value] : properties->items()) {
    if (value.is_number()) {
      record.properties.push_back({key, value.get<double>()});
    } else if (value.is_boolean()) {
      record.properties.push_back({key, value.get<bool>() ? 1.0 : 0.0});
    } else if (value.is_string() &&
               value.get_ref<const std::string&>().size() <= kEnginePropertyStringBytesMax) {
      record.properties.push_back({key, value.get<std::string>()});
    } else if (skipped) {
      ++*skipped;
    }
  }
}

}  // namespace

std::optional<engine::EventRecord> EngineEventOf(engine::PersonId person,
                                                 const events::Event& event,
                                                 int64_t* skipped_properties) {
  engine::EventRecord record;
  record.person = person;
  record.time_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(event.event_time.time_since_epoch()).count();
  record.channel = static_cast<uint8_t>(event.channel);
  using events::EventType;
  switch (event.type) {
    case EventType::kTrack:
      record.type = event.name;
      break;
    case EventType::kIdentify:
      record.type = "$identify";
      break;
    case EventType::kPage:
      record.type = "$page";
      break;
    case EventType::kScreen:
      record.type = "$screen";
      break;
    case EventType::kAlias:
      record.type = "$alias";
      break;
    case EventType::kGroup:
      record.type = "$group";
      break;
    default:
      return std::nullopt;  // profile operations
  }
  if (record.type.empty()) return std::nullopt;
  AddProperties(event.properties, record, skipped_properties);
  const bool named_view = event.type == EventType::kPage || event.type == EventType::kScreen;
  if (named_view && !event.name.empty() && event.name.size() <= kEnginePropertyStringBytesMax &&
      std::none_of(record.properties.begin(), record.properties.end(),
                   [](const engine::EventProperty& p) { return p.key == "name"; })) {
    record.properties.push_back({"name", event.name});
  }
  return record;
}

}  // namespace banyan::customer
