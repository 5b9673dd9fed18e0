#include "analytics/lifecycle.h"

#include <fmt/format.h>

#include "analytics/internal/periods.h"

namespace banyan::analytics {

Status ValidateLifecycle(const LifecycleQuery& query) {
  RETURN_IF_ERROR(ValidateRange(query.range, "/range"));
  RETURN_IF_ERROR(segment::ValidateLifecycleRules(query.rules));
  size_t count = 0;
  for (CivilDay day = internal::PeriodStart(query.interval, query.range.from);
       day <= query.range.to; day = internal::NextPeriod(query.interval, day)) {
    if (++count > kLifecyclePeriodsMax) {
      return InvalidArgumentError(fmt::format("at most {} {}s (kLifecyclePeriodsMax)",
                                              kLifecyclePeriodsMax, IntervalName(query.interval)),
                                  "/range");
    }
  }
  return Status::Ok();
}

Result<LifecycleResult> RunLifecycle(const QueryContext& context, const LifecycleQuery& query) {
  RETURN_IF_ERROR(ValidateLifecycle(query));
  const BusinessCalendar& calendar = *context.calendar;
  const internal::Periods periods =
      internal::Periods::Make(calendar, query.interval, query.range.from, query.range.to);
  LifecycleResult result;
  std::vector<segment::LifecycleStage> previous;
  for (size_t i = 0; i < periods.size(); ++i) {
    const Timestamp start = FromUnixMicros(internal::UnixSeconds(periods.Start(i)) * 1'000'000);
    if (start > context.now) break;
    RETURN_IF_ERROR(context.deadline.Check());
    const Timestamp end = FromUnixMicros(internal::UnixSeconds(periods.End(i)) * 1'000'000);
    LifecyclePeriod period;
    period.period = periods.Label(i);
    period.as_of = std::min(end, context.now);
    std::vector<segment::LifecycleStage> stages =
        segment::LifecycleStages(*context.snapshot, period.as_of, calendar, query.rules);
    const auto none = static_cast<size_t>(segment::LifecycleStage::kNone);
    context.population.ForEach([&](uint32_t index) {
      const size_t to = index < stages.size() ? static_cast<size_t>(stages[index]) : none;
      ++period.customers[to];
      if (!previous.empty()) {
        const size_t from = index < previous.size() ? static_cast<size_t>(previous[index]) : none;
        ++period.flows[from][to];
      }
      return true;
    });
    result.periods.push_back(std::move(period));
    previous = std::move(stages);
  }
  return result;
}

}  // namespace banyan::analytics
