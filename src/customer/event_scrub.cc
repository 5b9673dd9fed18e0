#include "customer/event_scrub.h"

#include <fmt/format.h>

#include <set>

#include "base/json.h"
#include "events/event_codec.h"

namespace banyan::customer {
namespace {

constexpr std::string_view kErased = "[erased]";

// Replaces, everywhere in `json`, strings equal to one of `values` by "[erased]".
void ReplaceValues(Json& json, const std::set<std::string, std::less<>>& values) {
  if (json.is_string()) {
    if (values.contains(json.get_ref<const std::string&>())) json = kErased;
  } else if (json.is_object() || json.is_array()) {
    for (Json& child : json) ReplaceValues(child, values);
  }
}

// `text` (a JSON object) with the erased values replaced and `drop` keys removed; the text as it
// was when it does not parse (the log only holds objects it wrote, so this is defensive).
std::string Scrubbed(const std::string& text, const std::set<std::string, std::less<>>& values,
                     std::initializer_list<std::string_view> drop) {
  Result<Json> parsed = ParseJson(text);
  if (!parsed.ok() || !parsed->is_object()) return text;
  for (std::string_view key : drop) parsed->erase(std::string(key));
  ReplaceValues(*parsed, values);
  return parsed->dump();
}

}  // namespace

Result<std::optional<std::string>> ScrubErasedEvent(std::string_view record,
                                                    const identity::IdentityGraph& graph) {
  Result<events::Event> decoded = events::DecodeEvent(record);
  if (!decoded.ok()) {
    return DataLossError(
        fmt::format("an event in the log does not decode: {}", decoded.status().message()));
  }
  events::Event& event = *decoded;
  std::set<std::string, std::less<>> erased_values;
  std::erase_if(event.identifiers, [&](const events::Identifier& id) {
    const std::optional<Timestamp> erased_at = graph.ErasedAt(id.type, id.value);
    if (!erased_at || event.received_at >= *erased_at) return false;
    erased_values.insert(id.value);
    return true;
  });
  if (erased_values.empty()) return std::optional<std::string>();
  if (event.type != events::EventType::kGroup) event.traits = "{}";
  event.context = Scrubbed(event.context, erased_values, {"traits", "ip"});
  event.properties = Scrubbed(event.properties, erased_values, {});
  return std::optional<std::string>(events::EncodeEvent(event));
}

}  // namespace banyan::customer
