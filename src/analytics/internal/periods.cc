#include "analytics/internal/periods.h"

#include <fmt/format.h>

namespace banyan::analytics::internal {

uint32_t EngineTime(int64_t unix_seconds) {
  return static_cast<uint32_t>(
      std::clamp<int64_t>(unix_seconds - engine::kEpochBaseSeconds, 0, int64_t{0xFFFF'FFFF}));
}

int64_t UnixSeconds(uint32_t engine_time) {
  return int64_t{engine_time} + engine::kEpochBaseSeconds;
}

CivilDay PeriodStart(Interval interval, CivilDay day) {
  switch (interval) {
    case Interval::kDay:
      return day;
    case Interval::kWeek:
      return cctz::get_weekday(day) == cctz::weekday::monday
                 ? day
                 : cctz::prev_weekday(day, cctz::weekday::monday);
    case Interval::kMonth:
      return CivilDay(cctz::civil_month(day));
  }
  return day;
}

CivilDay NextPeriod(Interval interval, CivilDay start) {
  switch (interval) {
    case Interval::kDay:
      return start + 1;
    case Interval::kWeek:
      return start + 7;
    case Interval::kMonth:
      return CivilDay(cctz::civil_month(start) + 1);
  }
  return start + 1;
}

Periods Periods::Make(const BusinessCalendar& calendar, Interval interval, CivilDay first,
                      CivilDay last) {
  Periods periods;
  periods.interval_ = interval;
  CivilDay day = PeriodStart(interval, first);
  while (day <= last) {
    periods.days_.push_back(day);
    periods.starts_.push_back(EngineTime(ToUnixSeconds(calendar.StartOf(day))));
    day = NextPeriod(interval, day);
  }
  periods.starts_.push_back(EngineTime(ToUnixSeconds(calendar.StartOf(day))));
  return periods;
}

std::string Periods::Label(size_t i) const {
  const CivilDay day = days_[i];
  if (interval_ == Interval::kMonth) return fmt::format("{:04}-{:02}", day.year(), day.month());
  return FormatDate(day);
}

}  // namespace banyan::analytics::internal
