#include "segment/internal/number.h"

#include <fmt/format.h>

#include "segment/ast.h"

namespace banyan::segment::internal {
namespace {

struct Parts {
  bool negative = false;
  std::string_view integer;
  std::string_view fraction;
};

std::optional<Parts> Split(std::string_view text) {
  Parts parts;
  if (!text.empty() && text[0] == '-') {
    parts.negative = true;
    text.remove_prefix(1);
  }
  const size_t dot = text.find('.');
  parts.integer = text.substr(0, dot);
  if (dot != std::string_view::npos) {
    parts.fraction = text.substr(dot + 1);
    if (parts.fraction.empty()) return std::nullopt;
  }
  if (parts.integer.empty()) return std::nullopt;
  for (std::string_view digits : {parts.integer, parts.fraction}) {
    for (char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
    }
  }
  return parts;
}

}  // namespace

Result<std::string> CanonicalNumber(std::string_view text) {
  std::optional<Parts> parts = Split(text);
  if (!parts) return InvalidArgumentError(fmt::format("\"{}\" is not a number", text));
  while (parts->integer.size() > 1 && parts->integer[0] == '0') parts->integer.remove_prefix(1);
  while (!parts->fraction.empty() && parts->fraction.back() == '0') {
    parts->fraction.remove_suffix(1);
  }
  if (parts->fraction.size() > static_cast<size_t>(kNumberScaleMax)) {
    return InvalidArgumentError(
        fmt::format("{} has more than {} digits after the point", text, kNumberScaleMax));
  }
  const size_t significant =
      (parts->integer == "0" ? 0 : parts->integer.size()) + parts->fraction.size();
  if (significant > static_cast<size_t>(kNumberDigitsMax)) {
    return InvalidArgumentError(
        fmt::format("{} has more than {} significant digits", text, kNumberDigitsMax));
  }
  std::string out;
  const bool zero = parts->integer == "0" && parts->fraction.empty();
  if (parts->negative && !zero) out.push_back('-');
  out += parts->integer;
  if (!parts->fraction.empty()) out += "." + std::string(parts->fraction);
  return out;
}

std::optional<Micros128> ParseMicros(std::string_view text) {
  const std::optional<Parts> parts = Split(text);
  if (!parts || parts->integer.size() > 18 || parts->fraction.size() > 6) return std::nullopt;
  Micros128 value = 0;
  for (char c : parts->integer) value = value * 10 + (c - '0');
  Micros128 fraction = 0;
  for (size_t i = 0; i < 6; ++i) {
    fraction = fraction * 10 + (i < parts->fraction.size() ? parts->fraction[i] - '0' : 0);
  }
  value = value * kMicrosPerUnit + fraction;
  return parts->negative ? -value : value;
}

}  // namespace banyan::segment::internal
