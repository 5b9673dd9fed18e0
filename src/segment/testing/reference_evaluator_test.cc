#include "segment/testing/reference_evaluator.h"

#include <gtest/gtest.h>

namespace banyan::segment::testing {
namespace {

TEST(Haversine, MatchesKnownDistances) {
  // One degree of latitude on a sphere of radius 6371008.8 m is 111195.08 m (6371000 m would give
  // 111194.93).
  EXPECT_NEAR(HaversineMeters({30, 120}, {31, 120}), 111195.08, 0.01);
  EXPECT_EQ(HaversineMeters({30.2741, 120.13}, {30.2741, 120.13}), 0);
  // Antipodes: half the circumference.
  EXPECT_NEAR(HaversineMeters({0, 0}, {0, 180}), 3.14159265358979 * kEarthRadiusMeters, 0.01);
}

TEST(Evaluate, FailsForAnAttributeTheCatalogLacks) {
  Dataset data;
  data.customers[1].id = 1;
  const BusinessCalendar calendar = *BusinessCalendar::Create("Asia/Shanghai");
  const Result<std::vector<int64_t>> ids = Evaluate(*Parse("nope = 1"), data, Catalog{}, calendar);
  EXPECT_FALSE(ids.ok());
}

}  // namespace
}  // namespace banyan::segment::testing
