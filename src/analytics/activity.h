// Activity: how many customers are active per local day, week or month, and how that number is
// made — new, returning, resurrected, and (shown negative) dormant — with DAU, WAU, MAU and
// stickiness (DAU / MAU) per day.
//
// Active in a period: did an activity event in it (the query's events; by default every event
// but the non-behaviour ones of kNotActivity). In each period of the range, an active customer
// is new when its first activity ever is in the period, returning when it was also active in the
// previous period, resurrected otherwise; a customer active in the previous period and not in
// this one is dormant. WAU and MAU on day d count the customers active in the 7 / 30 local days
// ending with d. Events after `now` are not seen.
//
// Grouping by channel reads each event (active through the channel; "new" is the first activity
// through it); by attribute, tag or branch, the customer. Used by the analytics API.
// Thread safety: reads the context only.

#ifndef BANYAN_ANALYTICS_ACTIVITY_H_
#define BANYAN_ANALYTICS_ACTIVITY_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/query.h"

namespace banyan::analytics {

inline constexpr std::array<std::string_view, 4> kNotActivity = {"$identify", "$alias", "$group",
                                                                 "$consent"};
inline constexpr size_t kActivityEventsMax = 50;

struct ActivityQuery {
  std::vector<std::string> events;  // empty: every event but kNotActivity
  Interval interval = Interval::kDay;
  DateRange range;
  GroupBy group_by;  // channel, attribute, tag or branch
};

struct ActivityPoint {
  std::string period;
  int64_t active = 0;
  int64_t new_customers = 0;
  int64_t returning = 0;
  int64_t resurrected = 0;
  int64_t dormant = 0;              // <= 0
  std::optional<int64_t> wau, mau;  // day intervals only
  std::optional<double> stickiness;
};

struct ActivitySeries {
  std::string name;  // "" overall
  std::vector<ActivityPoint> points;
  int64_t customers = 0;  // active at least once in the range
};

struct ActivityResult {
  ActivitySeries overall;
  std::vector<ActivitySeries> groups;
};

Status ValidateActivity(const ActivityQuery& query);
Result<ActivityResult> RunActivity(const QueryContext& context, const ActivityQuery& query);

}  // namespace banyan::analytics

#endif  // BANYAN_ANALYTICS_ACTIVITY_H_
