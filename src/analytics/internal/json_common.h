// JSON readers shared by every analytics query form: date ranges, periods, event filters,
// grouping, windows. Each error names its field by JSON pointer under `pointer`.
// Thread safety: pure functions.

#ifndef BANYAN_ANALYTICS_INTERNAL_JSON_COMMON_H_
#define BANYAN_ANALYTICS_INTERNAL_JSON_COMMON_H_

#include <string>
#include <string_view>

#include "analytics/query.h"
#include "base/json.h"

namespace banyan::analytics::internal {

inline constexpr size_t kNameLengthMax = 256;

// {"from": "2026-03-01", "to": "2026-03-31"}
Result<DateRange> ReadRange(const Json& value, const std::string& pointer);
Json RangeJson(const DateRange& range);
// "day" | "week" | "month"
Result<Interval> ReadInterval(const Json& value, const std::string& pointer);
// {"event": "view_product", "channel": "app", "where": [{"property", "op", "value"}]}
Result<EventFilter> ReadFilter(const Json& value, const std::string& pointer);
// {"kind": "channel" | "property" | "attribute" | "tag" | "branch", "name", "values"}
Result<GroupBy> ReadGroupBy(const Json& value, const std::string& pointer);
// {"days": 3} | {"hours": 2} | {"minutes": 30} | {"seconds": 10}
Result<int64_t> ReadDuration(const Json& value, const std::string& pointer, int64_t max_seconds);
// The members every period query shares: "range" (required) into `range`, "interval" into
// `interval` and "group_by" into `group_by` when present (each pointer null: not read here).
Status ReadPeriodMembers(const Json& body, DateRange& range, Interval* interval, GroupBy* group_by);
// The member `key` of `object`, required.
Result<const Json*> Member(const Json& object, std::string_view key, const std::string& pointer);
// A JSON array of `items` (a vector of optional numbers) with null for absent.
template <typename T>
Json OptionalArray(const std::vector<std::optional<T>>& items) {
  Json out = Json::array();
  for (const auto& item : items) out.push_back(item ? Json(*item) : Json(nullptr));
  return out;
}
// Rounded to 6 decimals, so results compare as text.
double Rounded(double value);

}  // namespace banyan::analytics::internal

#endif  // BANYAN_ANALYTICS_INTERNAL_JSON_COMMON_H_
