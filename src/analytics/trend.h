// Trends: one event's count, unique customers, or the sum or average of a numeric property, per
// local day, week or month, optionally grouped — and the branch manager's view of followers
// gained and lost (two trends of unique customers: follow and unfollow events).
//
// An event counts in the period holding its time; events after `now` are not seen. Unique
// customers count a customer once per period and group. Sum and average read the events that
// carry the property as a number (exactly, in hundredths); average is sum / those events.
// Grouping by channel or property reads each event; by attribute, tag or branch, the customer.
// Used by the analytics API. Thread safety: reads the context only.

#ifndef BANYAN_ANALYTICS_TREND_H_
#define BANYAN_ANALYTICS_TREND_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analytics/query.h"

namespace banyan::analytics {

enum class TrendMeasure : uint8_t { kCount, kUniques, kSum, kAverage };

struct TrendQuery {
  EventFilter event;
  TrendMeasure measure = TrendMeasure::kCount;
  std::string property;  // kSum, kAverage
  Interval interval = Interval::kDay;
  DateRange range;
  GroupBy group_by;
};

struct TrendSeries {
  std::string name;                           // "" overall
  std::vector<std::optional<double>> values;  // per period; null: an average of nothing
  double total = 0;  // over the range (uniques: distinct customers in the range)
};

struct TrendResult {
  std::vector<std::string> periods;  // labels
  TrendSeries overall;
  std::vector<TrendSeries> groups;
};

Status ValidateTrend(const TrendQuery& query);
Result<TrendResult> RunTrend(const QueryContext& context, const TrendQuery& query);

}  // namespace banyan::analytics

#endif  // BANYAN_ANALYTICS_TREND_H_
