// Small statistics shared by the analytics results: ratios and nearest-rank percentiles.
// Thread safety: pure functions.

#ifndef BANYAN_ANALYTICS_INTERNAL_STATS_H_
#define BANYAN_ANALYTICS_INTERNAL_STATS_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace banyan::analytics::internal {

// part / whole, 0 when whole is 0.
inline double Ratio(int64_t part, int64_t whole) {
  return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

// The nearest-rank percentile: the smallest value with at least `p` of the values at or below
// it (the median of 4 values is the 2nd). REQUIRES: !values.empty(), 0 < p <= 1. Reorders.
inline int64_t NearestRank(std::vector<uint32_t>& values, double p) {
  const size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(values.size())));
  const size_t at = std::clamp<size_t>(rank, 1, values.size()) - 1;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(at), values.end());
  return values[at];
}

}  // namespace banyan::analytics::internal

#endif  // BANYAN_ANALYTICS_INTERNAL_STATS_H_
