#include "base/time.h"

#include <fmt/format.h>

namespace banyan {
namespace {

using SysMicros = std::chrono::time_point<std::chrono::system_clock, Micros>;
const cctz::time_zone& Utc() {
  static const cctz::time_zone kUtc = cctz::utc_time_zone();
  return kUtc;
}

}  // namespace

std::string FormatRfc3339(Timestamp t) {
  const SysMicros tp(t.time_since_epoch());
  const int64_t micros = ToUnixMicros(t) % 1000000;
  if (micros == 0) return cctz::format("%Y-%m-%dT%H:%M:%SZ", tp, Utc());
  return cctz::format("%Y-%m-%dT%H:%M:%E6SZ", tp, Utc());
}

Result<Timestamp> ParseRfc3339(std::string_view text) {
  if (text.size() < 20 || text.size() > 40) {
    return InvalidArgumentError(fmt::format("'{}' is not an RFC 3339 timestamp", text));
  }
  // cctz's %Ez accepts "Z" as well as "+08:00"; %E*S takes any number of fractional digits.
  SysMicros tp;
  const std::string input(text);
  if (input[10] != 'T' && input[10] != 't' && input[10] != ' ') {
    return InvalidArgumentError(fmt::format("'{}' is not an RFC 3339 timestamp", text));
  }
  std::string normalized = input;
  normalized[10] = 'T';
  if (!cctz::parse("%Y-%m-%dT%H:%M:%E*S%Ez", normalized, Utc(), &tp)) {
    return InvalidArgumentError(fmt::format("'{}' is not an RFC 3339 timestamp", text));
  }
  return Timestamp(tp.time_since_epoch());
}

std::string FormatDate(CivilDay day) {
  return fmt::format("{:04}-{:02}-{:02}", day.year(), day.month(), day.day());
}

Result<CivilDay> ParseDate(std::string_view text) {
  int y = 0, m = 0, d = 0;
  if (text.size() != 10 || std::sscanf(std::string(text).c_str(), "%4d-%2d-%2d", &y, &m, &d) != 3) {
    return InvalidArgumentError(fmt::format("'{}' is not a date (YYYY-MM-DD)", text));
  }
  const CivilDay day(y, m, d);
  if (day.year() != y || day.month() != m || day.day() != d) {
    return InvalidArgumentError(fmt::format("'{}' is not a calendar date", text));
  }
  return day;
}

Result<BusinessCalendar> BusinessCalendar::Create(std::string_view zone_name) {
  cctz::time_zone zone;
  if (!cctz::load_time_zone(std::string(zone_name), &zone)) {
    return InvalidArgumentError(fmt::format(
        "unknown time zone '{}' (expected an IANA name such as Asia/Shanghai)", zone_name));
  }
  return BusinessCalendar(std::string(zone_name), zone);
}

CivilDay BusinessCalendar::DayOf(Timestamp t) const {
  return cctz::civil_day(cctz::convert(SysMicros(t.time_since_epoch()), zone_));
}

Timestamp BusinessCalendar::StartOf(CivilDay day) const {
  const auto tp = cctz::convert(cctz::civil_second(day), zone_);
  return Timestamp(std::chrono::duration_cast<Micros>(tp.time_since_epoch()));
}

int BusinessCalendar::MinuteOfDay(Timestamp t) const {
  const auto cs = cctz::convert(SysMicros(t.time_since_epoch()), zone_);
  return cs.hour() * 60 + cs.minute();
}

std::string BusinessCalendar::FormatLocal(Timestamp t) const {
  return cctz::format("%Y-%m-%dT%H:%M:%S%Ez", SysMicros(t.time_since_epoch()), zone_);
}

}  // namespace banyan
