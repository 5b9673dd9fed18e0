#include "engine/internal/range_index.h"

#include <gtest/gtest.h>

#include "base/random.h"
#include "engine/types.h"

namespace banyan::engine::internal {
namespace {

// Both designs against a direct scan, on random values with gaps and extremes.
TEST(RangeIndex, BothDesignsAgreeWithAScan) {
  SeededRandom random(7);
  std::vector<int64_t> values(kChunkCustomers);
  std::vector<uint64_t> has(kChunkWords);
  for (uint32_t i = 0; i < kChunkCustomers; ++i) {
    values[i] = static_cast<int64_t>(random.Uniform(2000)) - 1000;
    if (random.Uniform(10) != 0) has[i >> 6] |= uint64_t{1} << (i & 63);
  }
  values[3] = INT64_MIN;
  values[4] = INT64_MAX;
  has[0] |= 0b11000;
  SortedRangeIndex sorted;
  BitSlicedRangeIndex sliced;
  sorted.Build(values, has);
  sliced.Build(values, has);
  const std::pair<int64_t, int64_t> ranges[] = {
      {-5, 5}, {0, 0},      {INT64_MIN, -999}, {999, INT64_MAX}, {INT64_MIN, INT64_MAX},
      {5, 4},  {2000, 3000}};
  for (auto [lo, hi] : ranges) {
    std::vector<uint64_t> expected(kChunkWords), a(kChunkWords), b(kChunkWords);
    for (uint32_t i = 0; i < kChunkCustomers; ++i) {
      if ((has[i >> 6] >> (i & 63) & 1) && values[i] >= lo && values[i] <= hi) {
        expected[i >> 6] |= uint64_t{1} << (i & 63);
      }
    }
    sorted.Select(lo, hi, a.data());
    sliced.Select(lo, hi, b.data());
    EXPECT_EQ(a, expected) << lo << ".." << hi;
    EXPECT_EQ(b, expected) << lo << ".." << hi;
  }
}

TEST(RangeIndex, EmptyColumnSelectsNothing) {
  std::vector<int64_t> values(kChunkCustomers, 5);
  std::vector<uint64_t> has(kChunkWords, 0), out(kChunkWords, 0);
  BitSlicedRangeIndex sliced;
  sliced.Build(values, has);
  sliced.Select(INT64_MIN, INT64_MAX, out.data());
  EXPECT_EQ(out, has);
}

}  // namespace
}  // namespace banyan::engine::internal
