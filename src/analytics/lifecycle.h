// Lifecycle over time: how many customers are in each lifecycle stage (introduction, growth,
// maturity, decline — segment/lifecycle.h, the rules of the built-in `lifecycle` tag) at the end
// of each day, week or month of a range, and how many moved from one stage to another between
// consecutive periods.
//
// A period's stages are those as of its end (the start of the next period), or as of `now` for
// the period holding `now`; periods starting after `now` are left out. Customers without a stage
// at a period's end (not yet seen) count as "none", so flows show arrivals ("none" → introduction).
// Only the context's population is counted. Each period evaluates the rules over every customer
// once: at most kLifecyclePeriodsMax periods.
//
// Used by the analytics API (/api/v1/analytics/lifecycle). Thread safety: reads the context only.

#ifndef BANYAN_ANALYTICS_LIFECYCLE_H_
#define BANYAN_ANALYTICS_LIFECYCLE_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "analytics/query.h"
#include "segment/lifecycle.h"

namespace banyan::analytics {

inline constexpr size_t kLifecyclePeriodsMax = 60;
// Stages in results: the four of segment::LifecycleStage, then "none".
inline constexpr size_t kLifecycleStagesWithNone = segment::kLifecycleStageCount + 1;

struct LifecycleQuery {
  Interval interval = Interval::kMonth;
  DateRange range;
  segment::LifecycleRules rules;  // the lifecycle tag's, unless the query gives its own
};

struct LifecyclePeriod {
  std::string period;  // its label ("2026-03")
  Timestamp as_of{};
  std::array<int64_t, kLifecycleStagesWithNone> customers{};  // by stage
  // flows[from][to]: customers in `from` at the previous period's end and `to` at this one's
  // (all zero for the first period).
  std::array<std::array<int64_t, kLifecycleStagesWithNone>, kLifecycleStagesWithNone> flows{};
};

struct LifecycleResult {
  std::vector<LifecyclePeriod> periods;
};

Status ValidateLifecycle(const LifecycleQuery& query);
Result<LifecycleResult> RunLifecycle(const QueryContext& context, const LifecycleQuery& query);

}  // namespace banyan::analytics

#endif  // BANYAN_ANALYTICS_LIFECYCLE_H_
