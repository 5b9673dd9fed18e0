#include "analytics/query.h"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

namespace banyan::analytics {

std::string_view IntervalName(Interval interval) {
  switch (interval) {
    case Interval::kDay:
      return "day";
    case Interval::kWeek:
      return "week";
    case Interval::kMonth:
      return "month";
  }
  return "day";
}

int DefaultQueryThreads() {
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  return std::clamp(cores, 1, kQueryThreadsMax);
}

Deadline::Deadline(const Clock* clock, int64_t limit_ms)
    : clock_(clock),
      at_(clock->Monotonic() + std::chrono::milliseconds(limit_ms)),
      limit_ms_(limit_ms) {}

Status Deadline::Check() const {
  if (clock_ == nullptr || clock_->Monotonic() < at_) return Status::Ok();
  return DeadlineExceededError(
      fmt::format("the query took longer than its limit of {} ms; narrow the date range, the "
                  "segment or the grouping, or raise time_limit_ms (at most {}, kQueryTimeMsMax)",
                  limit_ms_, kQueryTimeMsMax));
}

Status ValidateRange(const DateRange& range, std::string_view pointer) {
  if (range.to < range.from) {
    return InvalidArgumentError("the range ends before it starts", std::string(pointer) + "/to");
  }
  if (range.to - range.from + 1 > kRangeDaysMax) {
    return InvalidArgumentError(
        fmt::format("a range is at most {} days (kRangeDaysMax)", kRangeDaysMax),
        std::string(pointer) + "/to");
  }
  return Status::Ok();
}

Status ValidateFilter(const EventFilter& filter, std::string_view pointer) {
  const std::string base(pointer);
  if (filter.event.empty())
    return InvalidArgumentError("an event name is required", base + "/event");
  if (filter.where.size() > kConditionsPerEventMax) {
    return InvalidArgumentError(
        fmt::format("at most {} conditions (kConditionsPerEventMax)", kConditionsPerEventMax),
        base + "/where");
  }
  for (size_t i = 0; i < filter.where.size(); ++i) {
    const PropertyFilter& where = filter.where[i];
    const std::string at = fmt::format("{}/where/{}", base, i);
    if (where.property.empty()) {
      return InvalidArgumentError("a property name is required", at + "/property");
    }
    if (where.values.empty() || where.values.size() > kInValuesMax) {
      return InvalidArgumentError(fmt::format("1 to {} values (kInValuesMax)", kInValuesMax),
                                  at + "/value");
    }
    const bool is_string = std::holds_alternative<std::string>(where.values.front());
    for (const engine::PropertyValue& value : where.values) {
      if (std::holds_alternative<std::string>(value) != is_string) {
        return InvalidArgumentError("values are all strings or all numbers", at + "/value");
      }
    }
    if (where.values.size() > 1 && where.op != engine::Compare::kEq) {
      return InvalidArgumentError("several values go with the op \"in\" only", at + "/op");
    }
    if (is_string && where.op != engine::Compare::kEq && where.op != engine::Compare::kNe) {
      return InvalidArgumentError(
          fmt::format("strings compare with =, != and in, not {}", engine::CompareName(where.op)),
          at + "/op");
    }
  }
  return Status::Ok();
}

Status ValidateGroupBy(const GroupBy& group_by, std::string_view pointer) {
  const std::string base(pointer);
  const bool named = group_by.kind == GroupKind::kProperty ||
                     group_by.kind == GroupKind::kAttribute || group_by.kind == GroupKind::kTag;
  if (named && group_by.name.empty()) {
    return InvalidArgumentError("a name is required for this grouping", base + "/name");
  }
  if (group_by.values.size() > kGroupsMax) {
    return InvalidArgumentError(fmt::format("at most {} values (kGroupsMax)", kGroupsMax),
                                base + "/values");
  }
  if (!group_by.values.empty() && group_by.kind != GroupKind::kTag) {
    return InvalidArgumentError("values are for grouping by tag", base + "/values");
  }
  return Status::Ok();
}

}  // namespace banyan::analytics
