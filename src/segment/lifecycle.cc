// Lifecycle stages: one pass over each live customer's events in the last
// max(new, dormant, 2 × period) days, counting distinct business days per period.

#include "segment/lifecycle.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/scan.h"

namespace banyan::segment {
namespace {

constexpr std::array<std::string_view, 5> kNames = {"introduction", "growth", "maturity", "decline",
                                                    "none"};
constexpr std::array<std::string_view, 5> kLabels = {"引入期", "成长期", "成熟期", "衰退期", "无"};
constexpr size_t kEventTypeBytesMax = 128;

}  // namespace

std::string_view LifecycleStageName(LifecycleStage stage) {
  return kNames[static_cast<size_t>(stage)];
}

std::string_view LifecycleStageLabel(LifecycleStage stage) {
  return kLabels[static_cast<size_t>(stage)];
}

std::optional<LifecycleStage> ParseLifecycleStage(std::string_view name) {
  for (size_t i = 0; i < kLifecycleStageCount; ++i) {
    if (kNames[i] == name) return static_cast<LifecycleStage>(i);
  }
  return std::nullopt;
}

Status ValidateLifecycleRules(const LifecycleRules& rules) {
  const std::pair<std::string_view, int> days[] = {{"new_days", rules.new_days},
                                                   {"dormant_days", rules.dormant_days},
                                                   {"period_days", rules.period_days}};
  for (const auto& [name, value] : days) {
    if (value < 1 || value > kLifecycleDaysMax) {
      return InvalidArgumentError(
          fmt::format("{} must be 1..{} days, not {}", name, kLifecycleDaysMax, value),
          fmt::format("/{}", name));
    }
  }
  if (!(rules.growth_ratio > 1.0) || rules.growth_ratio > 100.0) {
    return InvalidArgumentError("growth_ratio must be above 1 and at most 100", "/growth_ratio");
  }
  if (!(rules.decline_ratio >= 0.0 && rules.decline_ratio < 1.0)) {
    return InvalidArgumentError("decline_ratio must be at least 0 and below 1", "/decline_ratio");
  }
  for (size_t i = 0; i < rules.inactive_event_types.size(); ++i) {
    const std::string& type = rules.inactive_event_types[i];
    if (type.empty() || type.size() > kEventTypeBytesMax) {
      return InvalidArgumentError(
          fmt::format("an inactive event type must have 1..{} bytes", kEventTypeBytesMax),
          fmt::format("/inactive_event_types/{}", i));
    }
  }
  return Status::Ok();
}

Result<LifecycleRules> LifecycleRulesFromJson(const Json& json) {
  ASSIGN_OR_RETURN(JsonObjectReader reader, JsonObjectReader::Create(json));
  RETURN_IF_ERROR(reader.RejectUnknown({"new_days", "dormant_days", "period_days", "growth_ratio",
                                        "decline_ratio", "inactive_event_types"}));
  LifecycleRules rules;
  auto days = [&](std::string_view key, int& out) -> Status {
    ASSIGN_OR_RETURN(auto value, reader.OptionalInt(key, 1, kLifecycleDaysMax));
    if (value) out = static_cast<int>(*value);
    return Status::Ok();
  };
  RETURN_IF_ERROR(days("new_days", rules.new_days));
  RETURN_IF_ERROR(days("dormant_days", rules.dormant_days));
  RETURN_IF_ERROR(days("period_days", rules.period_days));
  ASSIGN_OR_RETURN(auto growth, reader.OptionalNumber("growth_ratio"));
  if (growth) rules.growth_ratio = *growth;
  ASSIGN_OR_RETURN(auto decline, reader.OptionalNumber("decline_ratio"));
  if (decline) rules.decline_ratio = *decline;
  if (reader.Has("inactive_event_types")) {
    const Json& types = json["inactive_event_types"];
    if (!types.is_array()) {
      return InvalidArgumentError("must be an array of event types", "/inactive_event_types");
    }
    rules.inactive_event_types.clear();
    for (size_t i = 0; i < types.size(); ++i) {
      if (!types[i].is_string()) {
        return InvalidArgumentError("must be a string", fmt::format("/inactive_event_types/{}", i));
      }
      rules.inactive_event_types.push_back(types[i].get<std::string>());
    }
  }
  RETURN_IF_ERROR(ValidateLifecycleRules(rules));
  return rules;
}

Json LifecycleRulesToJson(const LifecycleRules& rules) {
  return {
      {"new_days", rules.new_days},           {"dormant_days", rules.dormant_days},
      {"period_days", rules.period_days},     {"growth_ratio", rules.growth_ratio},
      {"decline_ratio", rules.decline_ratio}, {"inactive_event_types", rules.inactive_event_types}};
}

std::vector<LifecycleStage> LifecycleStages(const engine::Snapshot& snapshot, Timestamp as_of,
                                            const BusinessCalendar& calendar,
                                            const LifecycleRules& rules) {
  std::vector<LifecycleStage> stages(snapshot.index_count(), LifecycleStage::kNone);
  const CivilDay today = calendar.DayOf(as_of);
  const int64_t now = ToUnixSeconds(as_of);
  // Day d (0 = today, 1 = yesterday, ...) starts at day_start[d]; events at or after
  // day_start[span] and not after `now` are read.
  const int span = std::max({rules.new_days, rules.dormant_days, 2 * rules.period_days});
  std::vector<int64_t> day_start(static_cast<size_t>(span) + 1);
  for (int d = 0; d <= span; ++d) day_start[d] = ToUnixSeconds(calendar.StartOf(today - d));
  const int64_t new_since = day_start[rules.new_days - 1];
  const int64_t dormant_since = day_start[rules.dormant_days - 1];

  std::vector<bool> inactive(snapshot.catalog().event_types->size(), false);
  for (const std::string& type : rules.inactive_event_types) {
    if (auto id = snapshot.catalog().event_types->Find(type)) inactive[*id] = true;
  }
  std::optional<std::vector<std::pair<engine::CustomerIndex, int64_t>>> since;
  if (auto values = engine::NumericValues(snapshot, "customer_since", snapshot.live());
      values.ok()) {
    since = std::move(values).value();
  }
  size_t next_since = 0;

  snapshot.live().ForEach([&](uint32_t index) {
    // The earliest sign of the customer: customer_since (a date, days since 1970) or an event.
    std::optional<int64_t> first_seen;
    if (since) {
      while (next_since < since->size() && (*since)[next_since].first < index) ++next_since;
      if (next_since < since->size() && (*since)[next_since].first == index) {
        const CivilDay day = CivilDay(1970, 1, 1) + (*since)[next_since].second;
        first_seen = ToUnixSeconds(calendar.StartOf(day));
      }
    }
    {
      engine::EventCursor first(snapshot, index, engine::kEpochBaseSeconds, now + 1);
      if (first.Next() && (!first_seen || first.time_seconds() < *first_seen)) {
        first_seen = first.time_seconds();
      }
    }
    if (!first_seen || *first_seen > now) return true;
    if (*first_seen >= new_since) {
      stages[index] = LifecycleStage::kIntroduction;
      return true;
    }
    // Active days in the current period (days 0..period-1) and the one before.
    int current = 0, previous = 0, last_day = -1;
    bool recent = false;
    engine::EventCursor events(snapshot, index, day_start[span], now + 1);
    int d = span;  // the day of the cursor's event, walking forward (d falls)
    while (events.Next()) {
      if (inactive[events.type()]) continue;
      const int64_t t = events.time_seconds();
      if (t >= dormant_since) recent = true;
      while (d > 0 && t >= day_start[d - 1]) --d;
      if (d == last_day) continue;
      last_day = d;
      if (d < rules.period_days) {
        ++current;
      } else if (d < 2 * rules.period_days) {
        ++previous;
      }
    }
    if (!recent) {
      stages[index] = LifecycleStage::kDecline;
    } else if (current > previous && current >= rules.growth_ratio * previous) {
      stages[index] = LifecycleStage::kGrowth;
    } else if (current < previous && current <= rules.decline_ratio * previous) {
      stages[index] = LifecycleStage::kDecline;
    } else {
      stages[index] = LifecycleStage::kMaturity;
    }
    return true;
  });
  return stages;
}

std::array<engine::Bitmap, kLifecycleStageCount> LifecycleBitmaps(
    const std::vector<LifecycleStage>& stages) {
  std::array<std::vector<uint32_t>, kLifecycleStageCount> indexes;
  for (size_t i = 0; i < stages.size(); ++i) {
    if (stages[i] != LifecycleStage::kNone) {
      indexes[static_cast<size_t>(stages[i])].push_back(static_cast<uint32_t>(i));
    }
  }
  std::array<engine::Bitmap, kLifecycleStageCount> out;
  for (size_t s = 0; s < kLifecycleStageCount; ++s) out[s].AddMany(indexes[s]);
  return out;
}

}  // namespace banyan::segment
