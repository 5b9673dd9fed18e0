// Exact decimal numbers as scaled 64-bit integers, for amounts (yuan with 2 fraction digits,
// held as fen) and coordinates (6 fraction digits). Never a double: a sum of balances must be
// exact to the fen.
//
// Text form: optional '-', 1..kDecimalIntegerDigitsMax integer digits, optionally '.' and 1..scale
// fraction digits ("523410.25", "-0.5", "100"). Formatting gives the shortest form ("523410.2",
// "100"): no '+', no leading zeros, no trailing fraction zeros, "0" for zero.
//
// Used by the profile module (schema normalisation, balances, import) and by analytics for the
// aum_tier tag's bounds (analytics/aum_series.cc).
// Thread safety: stateless functions.

#ifndef BANYAN_PROFILE_INTERNAL_DECIMAL_H_
#define BANYAN_PROFILE_INTERNAL_DECIMAL_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace banyan::profile::internal {

// 12 integer digits (up to 999,999,999,999 yuan) plus 6 fraction digits fit in int64 with room
// for sums of thousands of values.
inline constexpr int kDecimalIntegerDigitsMax = 12;
inline constexpr int kDecimalScaleMax = 6;

// Parses `text` into units of 10^-scale. Fails (InvalidArgument, no field) on anything else,
// including more than `scale` fraction digits. REQUIRES: 0 <= scale <= kDecimalScaleMax.
Result<int64_t> ParseDecimal(std::string_view text, int scale);

// `units` (of 10^-scale) in the shortest text form. REQUIRES: 0 <= scale <= kDecimalScaleMax.
std::string FormatDecimal(int64_t units, int scale);

// a + b, or InvalidArgument when the result leaves the range of kDecimalIntegerDigitsMax digits.
Result<int64_t> AddDecimal(int64_t a, int64_t b, int scale);

}  // namespace banyan::profile::internal

#endif  // BANYAN_PROFILE_INTERNAL_DECIMAL_H_
