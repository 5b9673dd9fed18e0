#include "profile/internal/decimal.h"

#include <gtest/gtest.h>

namespace banyan::profile::internal {
namespace {

TEST(Decimal, ParsesToUnitsOfTheScale) {
  EXPECT_EQ(*ParseDecimal("523410.25", 2), 52341025);
  EXPECT_EQ(*ParseDecimal("-0.5", 2), -50);
  EXPECT_EQ(*ParseDecimal("100", 2), 10000);
  EXPECT_EQ(*ParseDecimal("007.10", 2), 710);
  EXPECT_EQ(*ParseDecimal("30.274084", 6), 30274084);
  EXPECT_EQ(*ParseDecimal("12.500", 2), 1250);  // zeros beyond the scale change nothing
}

TEST(Decimal, RejectsWhatIsNotAnExactDecimal) {
  for (const char* text : {"", "-", ".5", "5.", "1e3", "12,5", "+1", "1.2.3", " 1", "0x10"}) {
    EXPECT_FALSE(ParseDecimal(text, 2).ok()) << text;
  }
  Result<int64_t> too_fine = ParseDecimal("1.234", 2);
  ASSERT_FALSE(too_fine.ok());
  EXPECT_EQ(too_fine.status().message(), "'1.234' has more than 2 fraction digits");
  EXPECT_FALSE(ParseDecimal("1234567890123", 2).ok());  // 13 integer digits
  EXPECT_TRUE(ParseDecimal("999999999999.99", 2).ok());
}

TEST(Decimal, FormatsTheShortestForm) {
  EXPECT_EQ(FormatDecimal(52341025, 2), "523410.25");
  EXPECT_EQ(FormatDecimal(52341020, 2), "523410.2");
  EXPECT_EQ(FormatDecimal(10000, 2), "100");
  EXPECT_EQ(FormatDecimal(-50, 2), "-0.5");
  EXPECT_EQ(FormatDecimal(-5, 2), "-0.05");
  EXPECT_EQ(FormatDecimal(0, 6), "0");
  EXPECT_EQ(FormatDecimal(30274084, 6), "30.274084");
  EXPECT_EQ(FormatDecimal(7, 0), "7");
}

TEST(Decimal, AddsExactlyAndRefusesToOverflowTheDigits) {
  EXPECT_EQ(*AddDecimal(10, 20, 2), 30);  // 0.1 + 0.2 == 0.3, exactly
  EXPECT_EQ(FormatDecimal(*AddDecimal(*ParseDecimal("0.1", 2), *ParseDecimal("0.2", 2), 2), 2),
            "0.3");
  const int64_t max = *ParseDecimal("999999999999.99", 2);
  EXPECT_FALSE(AddDecimal(max, 1, 2).ok());
  EXPECT_FALSE(AddDecimal(-max, -1, 2).ok());
}

}  // namespace
}  // namespace banyan::profile::internal
