// Exact decimal numbers for the segment language: the canonical text of a number literal and a
// fixed-point value (millionths in 128 bits) that the validator and the reference evaluator
// compare and add without rounding, so `0.1 + 0.2 = 0.3` holds as it does for the bank's amounts.
//
// Used by: the parser, the JSON reader, the reference evaluator. Thread safety: stateless.

#ifndef BANYAN_SEGMENT_INTERNAL_NUMBER_H_
#define BANYAN_SEGMENT_INTERNAL_NUMBER_H_

#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace banyan::segment::internal {

// A number in millionths: 1.5 is 1500000.
using Micros128 = __int128;
inline constexpr Micros128 kMicrosPerUnit = 1000000;

// The canonical text of a literal written -?digits(.digits)?: no leading zeros, no trailing
// fraction zeros, "0" for -0. Errors (a message without position) beyond kNumberDigitsMax
// significant digits or kNumberScaleMax fraction digits.
Result<std::string> CanonicalNumber(std::string_view text);

// The value of -?digits(.digits)? with at most 6 fraction digits and 18 integer digits; nullopt
// for anything else (exponents, more digits, words).
std::optional<Micros128> ParseMicros(std::string_view text);

}  // namespace banyan::segment::internal

#endif  // BANYAN_SEGMENT_INTERNAL_NUMBER_H_
