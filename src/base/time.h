// Time formatting and business dates.
//
// Storage and the API use UTC (RFC 3339, "2026-11-22T02:30:00.123456Z"). Business days, quiet
// hours and birthdays use the bank's time zone (default Asia/Shanghai), through BusinessCalendar.
// Thread safety: all functions and a const BusinessCalendar are safe from any thread.

#ifndef BANYAN_BASE_TIME_H_
#define BANYAN_BASE_TIME_H_

#include <cctz/civil_time.h>
#include <cctz/time_zone.h>

#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"

namespace banyan {

// "2026-11-22T02:30:00Z", with ".123456" when the microseconds are not zero; always UTC.
std::string FormatRfc3339(Timestamp t);
// Accepts RFC 3339 with any offset ("Z", "+08:00") and 0–9 fractional digits.
Result<Timestamp> ParseRfc3339(std::string_view text);

using CivilDay = cctz::civil_day;

// "2026-11-22".
std::string FormatDate(CivilDay day);
Result<CivilDay> ParseDate(std::string_view text);

class BusinessCalendar {
 public:
  // Fails with InvalidArgument when `zone_name` is not a known IANA zone.
  static Result<BusinessCalendar> Create(std::string_view zone_name);

  const std::string& zone_name() const { return zone_name_; }
  // The business day on which `t` falls.
  CivilDay DayOf(Timestamp t) const;
  // The first instant of `day` in the bank's zone.
  Timestamp StartOf(CivilDay day) const;
  // Local wall-clock hour and minute of `t` as minutes after midnight (0–1439).
  int MinuteOfDay(Timestamp t) const;
  // `t` formatted in local time with its offset, e.g. "2026-11-22T10:30:00+08:00".
  std::string FormatLocal(Timestamp t) const;

 private:
  BusinessCalendar(std::string name, cctz::time_zone zone)
      : zone_name_(std::move(name)), zone_(zone) {}
  std::string zone_name_;
  cctz::time_zone zone_;
};

}  // namespace banyan

#endif  // BANYAN_BASE_TIME_H_
