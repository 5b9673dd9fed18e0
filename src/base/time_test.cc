#include "base/time.h"

#include <gtest/gtest.h>

namespace banyan {
namespace {

TEST(Rfc3339, RoundTripsAndNormalisesOffsets) {
  auto t = ParseRfc3339("2026-11-22T10:30:00+08:00");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(FormatRfc3339(*t), "2026-11-22T02:30:00Z");
  auto frac = ParseRfc3339("2026-11-22T02:30:00.123456Z");
  ASSERT_TRUE(frac.ok());
  EXPECT_EQ(FormatRfc3339(*frac), "2026-11-22T02:30:00.123456Z");
  EXPECT_FALSE(ParseRfc3339("yesterday").ok());
  EXPECT_FALSE(ParseRfc3339("2026-13-40T00:00:00Z").ok());
}

TEST(BusinessCalendar, DayBoundaryFollowsTheBankZone) {
  auto calendar = BusinessCalendar::Create("Asia/Shanghai");
  ASSERT_TRUE(calendar.ok());
  // 15:59:59 UTC is 23:59:59 in Shanghai; 16:00 UTC is the next business day.
  EXPECT_EQ(FormatDate(calendar->DayOf(*ParseRfc3339("2026-11-22T15:59:59Z"))), "2026-11-22");
  EXPECT_EQ(FormatDate(calendar->DayOf(*ParseRfc3339("2026-11-22T16:00:00Z"))), "2026-11-23");
  EXPECT_EQ(FormatRfc3339(calendar->StartOf(CivilDay(2026, 11, 23))), "2026-11-22T16:00:00Z");
  EXPECT_EQ(calendar->MinuteOfDay(*ParseRfc3339("2026-11-22T01:00:00Z")), 9 * 60);
  EXPECT_FALSE(BusinessCalendar::Create("Nowhere/Else").ok());
}

TEST(Date, ParsesOnlyRealDates) {
  EXPECT_TRUE(ParseDate("2024-02-29").ok());
  EXPECT_FALSE(ParseDate("2023-02-29").ok());
  EXPECT_FALSE(ParseDate("2023-2-1").ok());
}

}  // namespace
}  // namespace banyan
