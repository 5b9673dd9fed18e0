// Internal to the events wire protocols: fast parsing of the timestamps SDKs send.
//
// SDKs send RFC 3339 / ISO 8601 text ("2026-11-22T02:30:00.123Z", "...+08:00"). The common
// shapes are parsed by hand (no allocation, ~50 ns); anything else falls back to
// base/time.h ParseRfc3339, so the accepted language is exactly RFC 3339 either way.
// Thread safety: stateless functions.

#ifndef BANYAN_EVENTS_INTERNAL_WIRE_TIME_H_
#define BANYAN_EVENTS_INTERNAL_WIRE_TIME_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "base/clock.h"

namespace banyan::events::internal {

// Years outside [kYearMin, kYearMax] are rejected: no real event happened then, and the bound
// keeps all timestamp arithmetic far from overflow.
inline constexpr int kYearMin = 1970;
inline constexpr int kYearMax = 9999;
// Unix milliseconds of 9999-12-31T23:59:59.999Z: the largest epoch time we accept.
inline constexpr int64_t kUnixMillisMax = 253402300799999;

std::optional<Timestamp> ParseWireTimestamp(std::string_view text);

}  // namespace banyan::events::internal

#endif  // BANYAN_EVENTS_INTERNAL_WIRE_TIME_H_
