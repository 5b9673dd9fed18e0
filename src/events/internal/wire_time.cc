#include "events/internal/wire_time.h"

#include <chrono>

#include "base/time.h"

namespace banyan::events::internal {
namespace {

bool Digits(std::string_view text, size_t pos, size_t count, int* value) {
  if (pos + count > text.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *value = v;
  return true;
}

// "YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)"; nullopt for anything else.
std::optional<Timestamp> ParseCommonShape(std::string_view text) {
  int year, month, day, hour, minute, second;
  if (text.size() < 20 || !Digits(text, 0, 4, &year) || text[4] != '-' ||
      !Digits(text, 5, 2, &month) || text[7] != '-' || !Digits(text, 8, 2, &day) ||
      (text[10] != 'T' && text[10] != 't' && text[10] != ' ') || !Digits(text, 11, 2, &hour) ||
      text[13] != ':' || !Digits(text, 14, 2, &minute) || text[16] != ':' ||
      !Digits(text, 17, 2, &second)) {
    return std::nullopt;
  }
  size_t pos = 19;
  int64_t micros = 0;
  if (text[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 6) micros = micros * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0 || digits > 9) return std::nullopt;
    for (int i = digits; i < 6; ++i) micros *= 10;
  }
  int offset_minutes = 0;
  if (pos + 1 == text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    // UTC
  } else if (pos + 6 == text.size() && (text[pos] == '+' || text[pos] == '-') &&
             text[pos + 3] == ':') {
    int offset_hours, offset_mins;
    if (!Digits(text, pos + 1, 2, &offset_hours) || !Digits(text, pos + 4, 2, &offset_mins) ||
        offset_hours > 23 || offset_mins > 59) {
      return std::nullopt;
    }
    offset_minutes = (offset_hours * 60 + offset_mins) * (text[pos] == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  if (year < kYearMin || hour > 23 || minute > 59 || second > 59) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year(year),
                                         std::chrono::month(static_cast<unsigned>(month)),
                                         std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok()) return std::nullopt;
  const auto days = std::chrono::sys_days(date);
  return Timestamp(std::chrono::duration_cast<Micros>(days.time_since_epoch()) +
                   std::chrono::hours(hour) + std::chrono::minutes(minute - offset_minutes) +
                   std::chrono::seconds(second) + Micros(micros));
}

}  // namespace

std::optional<Timestamp> ParseWireTimestamp(std::string_view text) {
  if (auto fast = ParseCommonShape(text)) return fast;
  // Leap seconds and other rare but valid shapes.
  auto parsed = ParseRfc3339(text);
  if (!parsed.ok()) return std::nullopt;
  const auto year =
      std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(*parsed)).year();
  if (static_cast<int>(year) < kYearMin || static_cast<int>(year) > kYearMax) return std::nullopt;
  return *parsed;
}

}  // namespace banyan::events::internal
