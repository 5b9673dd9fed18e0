#include "profile/internal/decimal.h"

#include <fmt/format.h>

#include <charconv>

namespace banyan::profile::internal {
namespace {

constexpr int64_t kPow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000};

// The exclusive bound on |units|: 10^(integer digits + scale).
int64_t Bound(int scale) {
  int64_t bound = 1;
  for (int i = 0; i < kDecimalIntegerDigitsMax + scale; ++i) bound *= 10;
  return bound;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

Result<int64_t> ParseDecimal(std::string_view text, int scale) {
  CHECK(scale >= 0 && scale <= kDecimalScaleMax, "scale {}", scale);
  std::string_view rest = text;
  const bool negative = !rest.empty() && rest.front() == '-';
  if (negative) rest.remove_prefix(1);
  const size_t dot = rest.find('.');
  const std::string_view whole = rest.substr(0, dot);
  const std::string_view fraction =
      dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
  if (whole.empty() || (dot != std::string_view::npos && fraction.empty())) {
    return InvalidArgumentError(fmt::format("'{}' is not a decimal number", text));
  }
  int64_t units = 0;
  int digits = 0;
  for (char c : whole) {
    if (!IsDigit(c)) return InvalidArgumentError(fmt::format("'{}' is not a decimal number", text));
    if (units == 0 && c == '0') continue;  // leading zeros do not count against the limit
    if (++digits > kDecimalIntegerDigitsMax) {
      return InvalidArgumentError(
          fmt::format("'{}' has more than {} integer digits", text, kDecimalIntegerDigitsMax));
    }
    units = units * 10 + (c - '0');
  }
  if (static_cast<int>(fraction.size()) > scale) {
    // Trailing zeros beyond the scale change nothing ("12.500" at scale 2).
    for (size_t i = scale; i < fraction.size(); ++i) {
      if (fraction[i] != '0' || !IsDigit(fraction[i])) {
        return InvalidArgumentError(
            IsDigit(fraction[i]) ? fmt::format("'{}' has more than {} fraction digits", text, scale)
                                 : fmt::format("'{}' is not a decimal number", text));
      }
    }
  }
  for (int i = 0; i < scale; ++i) {
    const char c = i < static_cast<int>(fraction.size()) ? fraction[i] : '0';
    if (!IsDigit(c)) return InvalidArgumentError(fmt::format("'{}' is not a decimal number", text));
    units = units * 10 + (c - '0');
  }
  return negative ? -units : units;
}

std::string FormatDecimal(int64_t units, int scale) {
  CHECK(scale >= 0 && scale <= kDecimalScaleMax, "scale {}", scale);
  const bool negative = units < 0;
  const uint64_t magnitude =
      negative ? static_cast<uint64_t>(-(units + 1)) + 1 : static_cast<uint64_t>(units);
  const uint64_t pow = static_cast<uint64_t>(kPow10[scale]);
  uint64_t fraction = magnitude % pow;
  char buffer[48];
  char* end = buffer;
  if (negative) *end++ = '-';
  end = std::to_chars(end, buffer + sizeof(buffer), magnitude / pow).ptr;
  if (fraction != 0) {
    int digits = scale;
    while (fraction % 10 == 0) {
      fraction /= 10;
      --digits;
    }
    *end++ = '.';
    for (int i = digits - 1; i >= 0; --i) {  // zero-padded to `digits`
      end[i] = static_cast<char>('0' + fraction % 10);
      fraction /= 10;
    }
    end += digits;
  }
  return std::string(buffer, end);
}

Result<int64_t> AddDecimal(int64_t a, int64_t b, int scale) {
  const int64_t bound = Bound(scale);
  // |a|, |b| < 10^18 <= INT64_MAX / 9, so the sum cannot overflow before the check.
  const int64_t sum = a + b;
  if (sum >= bound || sum <= -bound) {
    return InvalidArgumentError(fmt::format("the sum {} + {} has more than {} integer digits",
                                            FormatDecimal(a, scale), FormatDecimal(b, scale),
                                            kDecimalIntegerDigitsMax));
  }
  return sum;
}

}  // namespace banyan::profile::internal
