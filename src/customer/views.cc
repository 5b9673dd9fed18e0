#include "customer/views.h"

#include <charconv>

#include "base/time.h"
#include "privacy/masking.h"

namespace banyan::customer {
namespace {

constexpr std::string_view kErased = "[erased]";

// The attribute's value as display text: strings unquoted, others as their JSON.
std::string DisplayText(const std::string& json_text) {
  auto parsed = ParseJson(json_text);
  if (!parsed.ok()) return json_text;
  if (parsed->is_string()) return parsed->get<std::string>();
  return parsed->dump();
}

Json ParsedOr(const std::string& text) {
  auto parsed = ParseJson(text);
  return parsed.ok() ? *parsed : Json(text);
}

// Whole yuan of a decimal text; nullopt when it does not parse.
std::optional<int64_t> WholeYuan(std::string_view text) {
  if (!text.empty() && text.front() == '"') text = text.substr(1, text.size() - 2);
  int64_t yuan = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), yuan);
  if (ec != std::errc() || end == text.data()) return std::nullopt;
  return yuan;
}

// In event views, identifiers that name a real person directly (phone, id number, email, customer
// number: every type with a specific mask rule) are masked; pseudonymous ones (device, anonymous,
// app user and platform ids: mask rule "opaque") stay readable, so tracking can be debugged.
privacy::MaskRule EventMaskRule(const identity::IdentifierTypes& types, std::string_view name) {
  const identity::IdentifierType* type = types.Find(name);
  if (type == nullptr || type->mask == privacy::MaskRule::kOpaque) return privacy::MaskRule::kNone;
  return type->mask;
}

}  // namespace

std::string_view AumTier(std::string_view aum_decimal_text) {
  const auto yuan = WholeYuan(aum_decimal_text);
  if (!yuan) return "";
  if (*yuan >= 10'000'000) return "private";
  if (*yuan >= 500'000) return "wealth";
  if (*yuan >= 50'000) return "gold";
  return "mass";
}

Json ProfileJson(const profile::AttributeSchema& schema, const profile::Profile& profile,
                 bool masked) {
  Json out = Json::object();
  for (const auto& [name, value] : profile.attributes) {
    const profile::AttributeDef* def = schema.Find(name);
    const bool mask = masked && def != nullptr && def->personal;
    out[name] = {{"value", mask ? Json(privacy::Mask(def->mask, DisplayText(value.json)))
                                : ParsedOr(value.json)},
                 {"masked", mask},
                 {"at", FormatRfc3339(value.at)},
                 {"source", value.source}};
  }
  if (profile.age) out["age"] = {{"value", *profile.age}, {"masked", false}, {"source", "derived"}};
  if (const auto aum = profile.attributes.find("aum"); aum != profile.attributes.end()) {
    out["tier"] = {{"value", AumTier(aum->second.json)}, {"masked", false}, {"source", "derived"}};
  }
  return out;
}

Json SummaryJson(const profile::AttributeSchema& schema, const profile::Profile& profile) {
  const Json full = ProfileJson(schema, profile, /*masked=*/true);
  Json out = Json::object();
  for (const char* name : {"name", "gender", "age", "tier", "city", "risk_level", "customer_since",
                           "home_branch", "relationship_manager"}) {
    if (full.contains(name)) out[name] = full[name]["value"];
  }
  return out;
}

Json IdentifiersJson(const identity::IdentifierTypes& types,
                     std::span<const identity::IdentifierRecord> identifiers, bool masked) {
  Json out = Json::array();
  for (const auto& id : identifiers) {
    const identity::IdentifierType* type = types.Find(id.type);
    const privacy::MaskRule rule = type ? type->mask : privacy::MaskRule::kOpaque;
    out.push_back({{"type", id.type},
                   {"value", masked ? privacy::Mask(rule, id.value) : id.value},
                   {"masked", masked},
                   {"person_id", id.person_id},
                   {"first_seen_at", FormatRfc3339(id.first_seen_at)},
                   {"last_seen_at", FormatRfc3339(id.last_seen_at)},
                   {"source", id.source}});
  }
  return out;
}

Json ConsentStatesJson(std::span<const privacy::ConsentState> states) {
  Json out = Json::array();
  for (const auto& s : states) {
    out.push_back({{"purpose", privacy::PurposeName(s.purpose)},
                   {"channel", s.channel},
                   {"granted", s.granted},
                   {"at", FormatRfc3339(s.at)},
                   {"source", s.source},
                   {"fact_id", s.fact_id}});
  }
  return out;
}

Json ConsentFactsJson(std::span<const privacy::ConsentFact> facts) {
  Json out = Json::array();
  for (const auto& f : facts) {
    out.push_back({{"id", f.id},
                   {"person_id", f.person_id},
                   {"purpose", privacy::PurposeName(f.purpose)},
                   {"channel", f.channel},
                   {"granted", f.granted},
                   {"at", FormatRfc3339(f.at)},
                   {"source", f.source},
                   {"evidence", ParsedOr(f.evidence)},
                   {"recorded_by", f.recorded_by ? Json(*f.recorded_by) : Json()},
                   {"recorded_at", FormatRfc3339(f.recorded_at)}});
  }
  return out;
}

Json MergesJson(std::span<const identity::MergeRecord> merges) {
  Json out = Json::array();
  for (const auto& m : merges) {
    out.push_back({{"id", m.id},
                   {"survivor_id", m.survivor_id},
                   {"absorbed_id", m.absorbed_id},
                   {"at", FormatRfc3339(m.at)},
                   {"evidence", ParsedOr(m.evidence)},
                   {"undone_at", m.undone_at ? Json(FormatRfc3339(*m.undone_at)) : Json()}});
  }
  return out;
}

Json BalancesJson(std::span<const profile::DailyBalances> days, bool masked) {
  Json out = Json::array();
  for (const auto& day : days) {
    Json row = {{"date", FormatDate(day.date)}};
    const auto put = [&](const char* key, const std::optional<std::string>& amount) {
      if (!amount) return;
      row[key] = masked ? Json(privacy::Mask(privacy::MaskRule::kAmount, *amount)) : Json(*amount);
    };
    put("aum", day.balances.aum);
    put("deposit", day.balances.deposit);
    put("loan", day.balances.loan);
    put("credit_card", day.balances.credit_card);
    put("wealth", day.balances.wealth);
    if (day.balances.aum) row["tier"] = AumTier(*day.balances.aum);
    out.push_back(std::move(row));
  }
  return out;
}

Json AttributeJson(const profile::AttributeDef& def) {
  return {{"name", def.name},
          {"type", profile::AttributeTypeName(def.type)},
          {"enum_values", def.enum_values},
          {"personal", def.personal},
          {"mask", privacy::MaskRuleName(def.mask)},
          {"label", def.label},
          {"description", def.description},
          {"builtin", def.builtin},
          {"read_only", def.read_only}};
}

Json IdentifierTypeJson(const identity::IdentifierType& type) {
  return {{"name", type.name},
          {"strength", type.strength},
          {"strong", type.strong()},
          {"cardinality", identity::CardinalityName(type.cardinality)},
          {"mask", privacy::MaskRuleName(type.mask)}};
}

namespace {

// Masks, in place, the members of a traits object that hold an identifier naming a person or a
// personal attribute.
void MaskTraits(Json& traits, const identity::IdentifierTypes& types,
                const profile::AttributeSchema* schema) {
  if (!traits.is_object()) return;
  for (auto& [key, value] : traits.items()) {
    const profile::AttributeDef* def = schema ? schema->Find(key) : nullptr;
    privacy::MaskRule rule = EventMaskRule(types, key);
    if (rule == privacy::MaskRule::kNone && def != nullptr && def->personal) rule = def->mask;
    if (rule != privacy::MaskRule::kNone) {
      value = privacy::Mask(rule, value.is_string() ? value.get<std::string>() : value.dump());
    }
  }
}

// An identifier value as an event view shows it.
std::string IdentifierValueView(const identity::IdentityGraph& graph, std::string_view type,
                                std::string value, bool masked) {
  if (graph.IsErased(type, value)) return std::string(kErased);
  if (masked) {
    const privacy::MaskRule rule = EventMaskRule(graph.types(), type);
    if (rule != privacy::MaskRule::kNone) return privacy::Mask(rule, value);
  }
  return value;
}

// The context object, with the identifiers and person traits an SDK may put there (Segment's
// context.externalIds and context.traits) shown as the event's own are.
Json ContextView(const events::Event& e, const identity::IdentityGraph& graph,
                 const profile::AttributeSchema* schema, bool masked) {
  Json context = ParsedOr(e.context);
  if (!context.is_object()) return context;
  if (auto ids = context.find("externalIds"); ids != context.end() && ids->is_array()) {
    for (Json& id : *ids) {
      if (!id.is_object()) continue;
      const auto type = id.find("type");
      const auto value = id.find("id");
      if (type == id.end() || !type->is_string() || value == id.end()) continue;
      *value = IdentifierValueView(graph, type->get<std::string>(),
                                   value->is_string() ? value->get<std::string>() : value->dump(),
                                   masked);
    }
  }
  if (masked && e.type != events::EventType::kGroup) {
    if (auto traits = context.find("traits"); traits != context.end()) {
      MaskTraits(*traits, graph.types(), schema);
    }
  }
  return context;
}

}  // namespace

Json EventJson(uint64_t sequence, const events::Event& e, const identity::IdentityGraph& graph,
               const profile::AttributeSchema* schema, bool masked, EventDetail detail) {
  Json identifiers = Json::array();
  for (const auto& id : e.identifiers) {
    identifiers.push_back(
        {{"type", id.type}, {"value", IdentifierValueView(graph, id.type, id.value, masked)}});
  }
  Json traits = ParsedOr(e.traits);
  // A person's traits (identify, profile_*) may be personal; a group's (a company) are not.
  if (masked && e.type != events::EventType::kGroup) MaskTraits(traits, graph.types(), schema);
  Json out = {{"sequence", sequence},
              {"message_id", e.message_id},
              {"source", events::EventSourceName(e.source)},
              {"type", events::EventTypeName(e.type)},
              {"name", e.name},
              {"identifiers", std::move(identifiers)},
              {"event_time", FormatRfc3339(e.event_time)},
              {"received_at", FormatRfc3339(e.received_at)},
              {"sent_at", e.sent_at ? Json(FormatRfc3339(*e.sent_at)) : Json(nullptr)},
              {"channel", events::ChannelName(e.channel)},
              {"properties", ParsedOr(e.properties)},
              {"traits", std::move(traits)}};
  if (detail == EventDetail::kFull) out["context"] = ContextView(e, graph, schema, masked);
  return out;
}

}  // namespace banyan::customer
