// The vocabulary every analytics query shares: date ranges in the bank's local days, periods
// (day, week, month), event filters (an event type, optionally a channel and property
// conditions), grouping, the limits, and the QueryContext a query runs in — one engine snapshot,
// the population it may count (the caller's scope, already ANDed with any segment), the bank's
// calendar, `now`, and a deadline.
//
// Used by funnel.h, retention.h, activity.h, trend.h, lifecycle.h and the JSON layer
// (query_json.h); docs/analytics.md gives the meaning of every field.
// Thread safety: plain values; a QueryContext is read by one query at a time.

#ifndef BANYAN_ANALYTICS_QUERY_H_
#define BANYAN_ANALYTICS_QUERY_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "base/time.h"
#include "engine/bitmap.h"
#include "engine/snapshot.h"
#include "engine/types.h"
#include "segment/engine_eval.h"

namespace banyan::analytics {

// Limits (named in the errors that enforce them).
inline constexpr size_t kFunnelStepsMin = 2;
inline constexpr size_t kFunnelStepsMax = 10;
inline constexpr size_t kConditionsPerEventMax = 10;  // property conditions of one filter
inline constexpr size_t kInValuesMax = 100;           // values of one `in` condition
inline constexpr int64_t kFunnelWindowSecondsMax = 90 * 86'400;
inline constexpr int64_t kRangeDaysMax = 732;  // a query's date range: two years and a day
inline constexpr size_t kGroupsMax = 50;       // groups shown; the smallest fold into "(other)"
inline constexpr int64_t kRetentionPeriodsMax = 90;
inline constexpr int64_t kQueryTimeMsDefault = 10'000;
inline constexpr int64_t kQueryTimeMsMax = 60'000;

// Group names that are not values.
inline constexpr std::string_view kGroupNone = "(none)";    // no value (attribute unset)
inline constexpr std::string_view kGroupOther = "(other)";  // past kGroupsMax

// Local days of the bank's calendar, both ends included.
struct DateRange {
  CivilDay from;
  CivilDay to;
  bool operator==(const DateRange&) const = default;
};

enum class Interval : uint8_t { kDay, kWeek, kMonth };  // weeks start on Monday
std::string_view IntervalName(Interval interval);       // "day", "week", "month"

// One property condition: `property op value`, or `property in (values)` when op is kEq and
// there are several values. An event without the property does not match (`!=` included), as
// in the segment language.
struct PropertyFilter {
  std::string property;
  engine::Compare op = engine::Compare::kEq;
  std::vector<engine::PropertyValue> values;  // one, or several for `in` (kEq only)
  bool operator==(const PropertyFilter&) const = default;
};

// Events of one type, optionally through one channel (events::Channel) and with conditions.
struct EventFilter {
  std::string event;
  std::optional<uint8_t> channel;
  std::vector<PropertyFilter> where;  // all must hold
  bool operator==(const EventFilter&) const = default;
};

// How results are split. kChannel and kProperty read the event that puts the customer in the
// result (a funnel's first step, a retention cohort's start event, a trend's event); the others
// read the customer: an engine attribute's current value, a tag (resolver), or the home branch
// (the `home_branch` attribute).
enum class GroupKind : uint8_t { kNone, kChannel, kProperty, kAttribute, kTag, kBranch };
struct GroupBy {
  GroupKind kind = GroupKind::kNone;
  std::string name;  // the property, attribute or tag
  // kTag: the tag values to split by; empty: holders against everyone else.
  std::vector<std::string> values;
  bool operator==(const GroupBy&) const = default;
};
inline constexpr std::string_view kBranchAttribute = "home_branch";
inline constexpr std::string_view kRelationshipManagerAttribute = "relationship_manager";

// A query's time limit: Check() fails with DeadlineExceeded once it has passed.
class Deadline {
 public:
  Deadline() = default;  // never
  Deadline(const Clock* clock, int64_t limit_ms);
  Status Check() const;

 private:
  const Clock* clock_ = nullptr;
  std::chrono::steady_clock::time_point at_{};
  int64_t limit_ms_ = 0;
};

// Threads one query may use for its scan: the machine's cores, at most this many.
inline constexpr int kQueryThreadsMax = 8;
// Below this many candidate customers a scan stays on the calling thread (starting threads
// would cost more than it saves).
inline constexpr size_t kParallelScanCustomersMin = 50'000;
// The machine's hardware threads, 1 to kQueryThreadsMax.
int DefaultQueryThreads();

struct QueryContext {
  const engine::Snapshot* snapshot = nullptr;         // REQUIRES: set
  engine::Bitmap population;                          // who may be counted (scope ∧ segment)
  const BusinessCalendar* calendar = nullptr;         // REQUIRES: set
  Timestamp now{};                                    // events after it are not seen
  const segment::MembershipResolver* tags = nullptr;  // for GroupKind::kTag; null: refused
  Deadline deadline;
  int threads = 1;  // for the scans that split their customers (funnel, retention); 1: this thread
  // A scan uses another thread per this many candidates (tests set 1 to split small data).
  size_t slice_customers_min = kParallelScanCustomersMin;
  // Whether scans read the engine's property-value index to skip customers who never did an
  // event with a `where` string value (the answers are the same; tests and the bench compare).
  bool property_index = true;
};

// InvalidArgument (field `pointer`) unless from <= to and the range is at most kRangeDaysMax.
Status ValidateRange(const DateRange& range, std::string_view pointer);
Status ValidateFilter(const EventFilter& filter, std::string_view pointer);
Status ValidateGroupBy(const GroupBy& group_by, std::string_view pointer);

}  // namespace banyan::analytics

#endif  // BANYAN_ANALYTICS_QUERY_H_
