// Periods: the bank's local days, weeks (Monday to Sunday) or calendar months covering a date
// range, as boundaries in engine time (seconds since engine::kEpochBaseSeconds, the unit of
// event sequences), so a scan buckets an event with one binary search and no time-zone call.
//
// Used by every analytics query that buckets by time. Thread safety: immutable after Make.

#ifndef BANYAN_ANALYTICS_INTERNAL_PERIODS_H_
#define BANYAN_ANALYTICS_INTERNAL_PERIODS_H_

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "analytics/query.h"
#include "base/time.h"

namespace banyan::analytics::internal {

// Unix seconds to engine time, clamped to what a sequence holds.
uint32_t EngineTime(int64_t unix_seconds);
int64_t UnixSeconds(uint32_t engine_time);

class Periods {
 public:
  // The periods of `interval` from the one holding `first` to the one holding `last`.
  // REQUIRES: first <= last.
  static Periods Make(const BusinessCalendar& calendar, Interval interval, CivilDay first,
                      CivilDay last);

  size_t size() const { return starts_.size() - 1; }
  Interval interval() const { return interval_; }
  // Period i is [Start(i), End(i)) in engine time.
  uint32_t Start(size_t i) const { return starts_[i]; }
  uint32_t End(size_t i) const { return starts_[i + 1]; }
  CivilDay FirstDay(size_t i) const { return days_[i]; }
  // "2026-03-02" (a day, or a week by its Monday), "2026-03" (a month).
  std::string Label(size_t i) const;
  // The period holding engine time `t`, or -1 outside them all.
  int Index(uint32_t t) const {
    if (t < starts_.front() || t >= starts_.back()) return -1;
    return static_cast<int>(std::upper_bound(starts_.begin(), starts_.end(), t) - starts_.begin()) -
           1;
  }

 private:
  Interval interval_ = Interval::kDay;
  std::vector<uint32_t> starts_;  // size() + 1 boundaries
  std::vector<CivilDay> days_;
};

// The first day of the period of `interval` holding `day`.
CivilDay PeriodStart(Interval interval, CivilDay day);
// The first day of the period after the one starting at `start`.
CivilDay NextPeriod(Interval interval, CivilDay start);

}  // namespace banyan::analytics::internal

#endif  // BANYAN_ANALYTICS_INTERNAL_PERIODS_H_
