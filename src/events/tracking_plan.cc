#include "events/tracking_plan.h"

#include <fmt/format.h>

#include <array>
#include <cmath>

#include "events/internal/wire_json.h"
#include "events/internal/wire_time.h"

namespace banyan::events {

using internal::JsonElement;
using internal::JsonType;

namespace {

constexpr std::array<std::string_view, 3> kPolicyNames = {"accept", "accept_and_flag", "reject"};
constexpr std::array<std::string_view, 7> kTypeNames = {"string", "number", "integer",  "boolean",
                                                        "object", "array",  "timestamp"};

template <typename Enum, size_t N>
std::optional<Enum> FromName(const std::array<std::string_view, N>& names, std::string_view name) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> segments;
  size_t start = 0;
  while (true) {
    const size_t dot = path.find('.', start);
    segments.emplace_back(path.substr(start, dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return segments;
}

bool HasType(JsonElement value, PropertyType type) {
  switch (type) {
    case PropertyType::kString:
      return value.type() == JsonType::STRING;
    case PropertyType::kNumber:
      return value.type() == JsonType::INT64 || value.type() == JsonType::UINT64 ||
             value.type() == JsonType::DOUBLE;
    case PropertyType::kInteger: {
      if (value.type() == JsonType::INT64 || value.type() == JsonType::UINT64) return true;
      if (value.type() != JsonType::DOUBLE) return false;
      const double d = value.get_double().value_unsafe();
      return std::trunc(d) == d;
    }
    case PropertyType::kBoolean:
      return value.type() == JsonType::BOOL;
    case PropertyType::kObject:
      return value.type() == JsonType::OBJECT;
    case PropertyType::kArray:
      return value.type() == JsonType::ARRAY;
    case PropertyType::kTimestamp:
      return value.type() == JsonType::STRING &&
             internal::ParseWireTimestamp(value.get_string().value_unsafe()).has_value();
  }
  return false;
}

std::string PropertyPointer(const std::vector<std::string>& segments, size_t count) {
  std::string pointer = "/properties";
  for (size_t i = 0; i < count; ++i) pointer = JsonPointer(pointer, segments[i]);
  return pointer;
}

Result<PropertySpec> ParseSpec(const std::string& path, const Json& value,
                               const std::string& base) {
  const std::string pointer = JsonPointer(base, path);
  if (path.empty() || path.size() > kPlanPathBytesMax) {
    return InvalidArgumentError(
        fmt::format("property paths must be 1 to {} bytes", kPlanPathBytesMax), pointer);
  }
  PropertySpec spec;
  spec.path = path;
  spec.segments = SplitPath(path);
  for (const auto& segment : spec.segments) {
    if (segment.empty()) return InvalidArgumentError("empty path segment", pointer);
  }
  if (spec.segments.size() > kPlanPathSegmentsMax) {
    return InvalidArgumentError(
        fmt::format("paths may have at most {} segments", kPlanPathSegmentsMax), pointer);
  }
  ASSIGN_OR_RETURN(const auto reader, JsonObjectReader::Create(value, pointer));
  RETURN_IF_ERROR(reader.RejectUnknown({"type", "required"}));
  ASSIGN_OR_RETURN(const std::string type_name, reader.String("type", 32));
  const auto type = FromName<PropertyType>(kTypeNames, type_name);
  if (!type) {
    return InvalidArgumentError(fmt::format("unknown type '{}'", type_name),
                                reader.PointerTo("type"));
  }
  spec.type = *type;
  ASSIGN_OR_RETURN(const auto required, reader.OptionalBool("required"));
  spec.required = required.value_or(false);
  return spec;
}

Result<EventPlan> ParseEventPlan(const Json& value, const std::string& base) {
  ASSIGN_OR_RETURN(const auto reader, JsonObjectReader::Create(value, base));
  RETURN_IF_ERROR(reader.RejectUnknown({"event", "policy", "allow_unexpected", "properties"}));
  EventPlan plan;
  ASSIGN_OR_RETURN(plan.event, reader.String("event", kEventNameBytesMax));
  if (plan.event.empty()) return InvalidArgumentError("is required", reader.PointerTo("event"));
  ASSIGN_OR_RETURN(const auto policy_name, reader.OptionalString("policy", 32));
  if (policy_name) {
    const auto policy = FromName<PlanPolicy>(kPolicyNames, *policy_name);
    if (!policy) {
      return InvalidArgumentError(
          fmt::format("unknown policy '{}'; expected accept, accept_and_flag or reject",
                      *policy_name),
          reader.PointerTo("policy"));
    }
    plan.policy = *policy;
  }
  ASSIGN_OR_RETURN(const auto allow, reader.OptionalBool("allow_unexpected"));
  plan.allow_unexpected = allow.value_or(true);
  if (reader.Has("properties")) {
    const Json& properties = value.at("properties");
    const std::string pointer = reader.PointerTo("properties");
    if (!properties.is_object()) return InvalidArgumentError("expected an object", pointer);
    if (properties.size() > kPlanPropertiesMax) {
      return InvalidArgumentError(fmt::format("more than {} properties", kPlanPropertiesMax),
                                  pointer);
    }
    for (const auto& [path, spec] : properties.items()) {
      ASSIGN_OR_RETURN(PropertySpec parsed, ParseSpec(path, spec, pointer));
      plan.properties.push_back(std::move(parsed));
    }
  }
  return plan;
}

// Appends a violation unless the list is full, counting what it drops.
void AddViolation(PlanVerdict* verdict, const std::string& event, std::string path,
                  ViolationKind kind, std::string message) {
  if (verdict->violations.size() >= kPlanViolationsMax) {
    ++verdict->violations_dropped;
    return;
  }
  verdict->violations.push_back(Violation{event, std::move(path), kind, std::move(message)});
}

void CheckSpec(const EventPlan& plan, const PropertySpec& spec,
               std::optional<internal::JsonObject> properties, PlanVerdict* verdict) {
  std::optional<JsonElement> value;
  if (properties) {
    internal::JsonObject object = *properties;
    for (size_t i = 0; i < spec.segments.size(); ++i) {
      value = internal::Find(object, spec.segments[i]);
      if (!value) break;
      if (i + 1 < spec.segments.size()) {
        const auto next = internal::AsObject(*value);
        if (!next) {
          value.reset();
          break;
        }
        object = *next;
      }
    }
  }
  if (!value) {
    if (spec.required) {
      AddViolation(verdict, plan.event, PropertyPointer(spec.segments, spec.segments.size()),
                   ViolationKind::kMissing, "is required");
    }
    return;
  }
  if (!HasType(*value, spec.type)) {
    AddViolation(verdict, plan.event, PropertyPointer(spec.segments, spec.segments.size()),
                 ViolationKind::kWrongType,
                 fmt::format("expected {}", PropertyTypeName(spec.type)));
  }
}

void CheckUnexpected(const EventPlan& plan, internal::JsonObject properties, PlanVerdict* verdict) {
  for (auto member : properties) {
    bool declared = false;
    for (const auto& spec : plan.properties) {
      declared = declared || spec.segments.front() == member.key;
    }
    if (!declared) {
      AddViolation(verdict, plan.event, JsonPointer("/properties", member.key),
                   ViolationKind::kUnexpected, "is not in the tracking plan");
    }
  }
}

}  // namespace

std::string_view PlanPolicyName(PlanPolicy policy) {
  return kPolicyNames[static_cast<size_t>(policy)];
}
std::string_view PropertyTypeName(PropertyType type) {
  return kTypeNames[static_cast<size_t>(type)];
}
std::string_view ViolationKindName(ViolationKind kind) {
  switch (kind) {
    case ViolationKind::kMissing:
      return "missing";
    case ViolationKind::kWrongType:
      return "wrong_type";
    case ViolationKind::kUnexpected:
      return "unexpected";
  }
  return "invalid";
}

Result<TrackingPlan> TrackingPlan::FromJson(std::string_view json) {
  ASSIGN_OR_RETURN(const Json root, ParseJson(json, {kPlanJsonBytesMax, kJsonDepthMax}));
  ASSIGN_OR_RETURN(const auto reader, JsonObjectReader::Create(root));
  RETURN_IF_ERROR(reader.RejectUnknown({"events"}));
  std::vector<EventPlan> plans;
  if (reader.Has("events")) {
    const Json& events = root.at("events");
    if (!events.is_array()) return InvalidArgumentError("expected an array", "/events");
    if (events.size() > kPlanEventsMax) {
      return InvalidArgumentError(fmt::format("more than {} event plans", kPlanEventsMax),
                                  "/events");
    }
    for (size_t i = 0; i < events.size(); ++i) {
      ASSIGN_OR_RETURN(EventPlan plan, ParseEventPlan(events[i], JsonPointer("/events", i)));
      plans.push_back(std::move(plan));
    }
  }
  return Create(std::move(plans));
}

Result<TrackingPlan> TrackingPlan::Create(std::vector<EventPlan> plans) {
  if (plans.size() > kPlanEventsMax) {
    return InvalidArgumentError(fmt::format("more than {} event plans", kPlanEventsMax));
  }
  TrackingPlan plan;
  for (auto& event_plan : plans) {
    for (auto& spec : event_plan.properties) {
      if (spec.segments.empty()) spec.segments = SplitPath(spec.path);
    }
    const std::string name = event_plan.event;
    if (!plan.plans_.emplace(name, std::move(event_plan)).second) {
      return InvalidArgumentError(fmt::format("event '{}' has two plans", name));
    }
  }
  return plan;
}

Json TrackingPlan::ToJson() const {
  Json events = Json::array();
  for (const auto& [name, plan] : plans_) {
    Json properties = Json::object();
    for (const auto& spec : plan.properties) {
      properties[spec.path] = {{"type", PropertyTypeName(spec.type)}, {"required", spec.required}};
    }
    events.push_back({{"event", name},
                      {"policy", PlanPolicyName(plan.policy)},
                      {"allow_unexpected", plan.allow_unexpected},
                      {"properties", std::move(properties)}});
  }
  return Json{{"events", std::move(events)}};
}

const EventPlan* TrackingPlan::Find(std::string_view event) const {
  const auto it = plans_.find(event);
  return it == plans_.end() ? nullptr : &it->second;
}

PlanVerdict TrackingPlan::Validate(const Event& event) const {
  PlanVerdict verdict;
  const bool named = event.type == EventType::kTrack || event.type == EventType::kPage ||
                     event.type == EventType::kScreen;
  const EventPlan* plan = named ? Find(event.name) : nullptr;
  if (plan == nullptr) return verdict;
  verdict.planned = true;
  thread_local internal::WireJsonParser parser(kEventBytesMax * 4);
  std::optional<internal::JsonObject> properties;
  if (auto root = parser.Parse(event.properties); root.ok()) properties = internal::AsObject(*root);
  if (!properties) {
    AddViolation(&verdict, plan->event, "/properties", ViolationKind::kWrongType,
                 "expected an object");
  }
  for (const auto& spec : plan->properties) CheckSpec(*plan, spec, properties, &verdict);
  if (!plan->allow_unexpected && properties) CheckUnexpected(*plan, *properties, &verdict);
  if (!verdict.violations.empty()) {
    verdict.action = plan->policy == PlanPolicy::kReject          ? PlanAction::kReject
                     : plan->policy == PlanPolicy::kAcceptAndFlag ? PlanAction::kStoreFlagged
                                                                  : PlanAction::kStore;
  }
  return verdict;
}

void TrackingPlanCounters::Record(const PlanVerdict& verdict) {
  if (!verdict.planned) {
    ++events_unplanned;
    return;
  }
  ++events_checked;
  for (const auto& violation : verdict.violations) {
    switch (violation.kind) {
      case ViolationKind::kMissing:
        ++violations_missing;
        break;
      case ViolationKind::kWrongType:
        ++violations_wrong_type;
        break;
      case ViolationKind::kUnexpected:
        ++violations_unexpected;
        break;
    }
  }
  violations_dropped += static_cast<int64_t>(verdict.violations_dropped);
  if (verdict.violations.empty()) {
    ++events_valid;
  } else if (verdict.action == PlanAction::kReject) {
    ++events_rejected;
  } else if (verdict.action == PlanAction::kStoreFlagged) {
    ++events_flagged;
  } else {
    ++events_accepted_with_violations;
  }
}

}  // namespace banyan::events
