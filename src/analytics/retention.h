// Retention: of the customers who started in a period (a cohort), how many came back in each
// later period.
//
// A customer's start is the first time ever (up to `now`) it did the start event, or the day it
// became a customer (`customer_since`); the cohort is the local day, week (Monday–Sunday) or
// month holding the start, for starts within the date range. Period n of a cohort is the n-th
// calendar period after the cohort's own; a customer is retained in period n (bounded) when it
// did the return event in that period, or (unbounded) in that period or any later one up to
// now. Period 0 is the whole cohort. Periods that have not begun by `now` are absent (null).
//
// URR (the source article's users retention rate: the share of a period's new customers still
// active at the period's end) is, per cohort, the share of the cohort that did the return event
// in the period's last `urr_active_days` days (at or after its start).
//
// Grouping by channel or property reads the start event; by attribute, tag or branch, the
// customer. Used by the analytics API. Thread safety: reads the context only.

#ifndef BANYAN_ANALYTICS_RETENTION_H_
#define BANYAN_ANALYTICS_RETENTION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analytics/query.h"
#include "engine/bitmap.h"

namespace banyan::analytics {

inline constexpr std::string_view kCustomerSinceAttribute = "customer_since";
inline constexpr int64_t kUrrActiveDaysDefault = 7;

enum class CohortBy : uint8_t { kFirstEvent, kCustomerSince };

struct RetentionQuery {
  CohortBy cohort_by = CohortBy::kFirstEvent;
  EventFilter start;  // kFirstEvent only
  EventFilter return_event;
  Interval interval = Interval::kDay;
  int64_t periods = 7;  // 1..kRetentionPeriodsMax: periods 0..periods are reported
  bool unbounded = false;
  DateRange range;  // cohorts whose start is in it
  GroupBy group_by;
  int64_t urr_active_days = kUrrActiveDaysDefault;
};

struct RetentionCohort {
  std::string label;  // the cohort's period ("2026-03-02", "2026-03")
  int64_t customers = 0;
  std::vector<std::optional<int64_t>> retained;  // periods 0..N; null: not begun by now
  std::vector<std::optional<double>> rates;      // retained / customers
  std::optional<double> urr;                     // null: the period has not ended
};

struct RetentionTable {
  std::string name;  // "" for the overall table
  std::vector<RetentionCohort> cohorts;
  // Every cohort together: per period, the retained of the cohorts that reached it over their
  // customers.
  std::vector<std::optional<double>> average_rates;
  int64_t customers = 0;
};

struct RetentionResult {
  RetentionTable overall;
  std::vector<RetentionTable> groups;
};

Status ValidateRetention(const RetentionQuery& query);
Result<RetentionResult> RunRetention(const QueryContext& context, const RetentionQuery& query);

// One cell: the cohort `cohort` (its label), retained in `period` (0: the whole cohort).
struct RetentionSelection {
  std::optional<std::string> group;
  std::string cohort;
  int64_t period = 0;
};
Result<engine::Bitmap> RetentionMembers(const QueryContext& context, const RetentionQuery& query,
                                        const RetentionSelection& selection);

}  // namespace banyan::analytics

#endif  // BANYAN_ANALYTICS_RETENTION_H_
