// The lifecycle stage of every customer — the built-in `lifecycle` tag (`has tag lifecycle =
// "growth"`) and what analytics charts over time. The rules (docs/segments.md, "Lifecycle"),
// evaluated in this order at an instant `as_of`, with activity counted in active days (distinct
// business days in the bank's zone with at least one activity event):
//
//   introduction  first seen (customer_since or the first event, whichever is earlier) within
//                 the last `new_days` days;
//   decline       dormant: no activity event in the last `dormant_days` days;
//   growth        active days in the last `period_days` days ≥ `growth_ratio` × those of the
//                 period before, and more of them;
//   decline       active days in the last period ≤ `decline_ratio` × those of the period before,
//                 and fewer of them (a fall to none included);
//   maturity      otherwise: steadily active.
//
// A customer never seen (no customer_since and no event before as_of) has no stage.
// Activity events are every event except the data operations in `inactive_event_types`.
//
// Used by: the tag catalog (segment service), analytics (distribution and flows over time).
// Thread safety: pure functions of an immutable snapshot.

#ifndef BANYAN_SEGMENT_LIFECYCLE_H_
#define BANYAN_SEGMENT_LIFECYCLE_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/json.h"
#include "base/result.h"
#include "base/time.h"
#include "engine/bitmap.h"
#include "engine/snapshot.h"

namespace banyan::segment {

enum class LifecycleStage : uint8_t { kIntroduction, kGrowth, kMaturity, kDecline, kNone };
inline constexpr size_t kLifecycleStageCount = 4;  // kNone excluded

// "introduction", "growth", "maturity", "decline" (the tag's values); "none".
std::string_view LifecycleStageName(LifecycleStage stage);
std::optional<LifecycleStage> ParseLifecycleStage(std::string_view name);
// 引入期, 成长期, 成熟期, 衰退期.
std::string_view LifecycleStageLabel(LifecycleStage stage);

inline constexpr int kLifecycleDaysMax = 3660;

struct LifecycleRules {
  int new_days = 30;
  int dormant_days = 60;
  int period_days = 30;
  double growth_ratio = 1.2;
  double decline_ratio = 0.8;
  std::vector<std::string> inactive_event_types = {"$identify", "$alias", "$group", "$consent"};
};

// InvalidArgument naming the field for days outside 1..kLifecycleDaysMax, ratios out of order
// (decline_ratio < 1 < growth_ratio) or an empty event type.
Status ValidateLifecycleRules(const LifecycleRules& rules);
// {"new_days": 30, ...}: absent fields keep their defaults; unknown fields are an error.
Result<LifecycleRules> LifecycleRulesFromJson(const Json& json);
Json LifecycleRulesToJson(const LifecycleRules& rules);

// The stage of each customer index of `snapshot` (kNone for indexes that are not live or never
// seen), as of `as_of`. REQUIRES: ValidateLifecycleRules(rules) is ok.
std::vector<LifecycleStage> LifecycleStages(const engine::Snapshot& snapshot, Timestamp as_of,
                                            const BusinessCalendar& calendar,
                                            const LifecycleRules& rules);

// The customers in each stage, indexed by LifecycleStage.
std::array<engine::Bitmap, kLifecycleStageCount> LifecycleBitmaps(
    const std::vector<LifecycleStage>& stages);

}  // namespace banyan::segment

#endif  // BANYAN_SEGMENT_LIFECYCLE_H_
