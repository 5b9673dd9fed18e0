// Funnels: how many customers go through 2–10 ordered steps, and where they stop.
//
// A customer enters with a first-step event in the date range (local days) and reaches step k
// when steps 2..k follow within the conversion window of that entry (time of step k − time of
// the entry <= window, the edge included). Strict order: each step at or after the previous one
// (equal timestamps count as in order), each a different event — so a repeated step (A → A)
// needs two A events. Any order: steps 2..k each matched by a different event at or after the
// entry, in any order. Each customer counts once per group, at the deepest step any entry reaches;
// events after `now` are not seen; a customer merged into another counts as the survivor, with
// both histories. Steps' times come from the chain that first reached the customer's deepest
// step (strict: the latest entry able to reach it; time between consecutive steps; any order:
// time from the entry).
//
// Grouping by channel or property reads the entry event (a customer entering through two
// channels counts in both groups, once overall); by attribute, tag or branch, the customer.
//
// Used by the analytics API (query_json.h) and the bench. Thread safety: RunFunnel only reads the
// context; call from any thread.

#ifndef BANYAN_ANALYTICS_FUNNEL_H_
#define BANYAN_ANALYTICS_FUNNEL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analytics/query.h"
#include "engine/bitmap.h"

namespace banyan::analytics {

enum class FunnelOrder : uint8_t { kStrict, kAnyOrder };

struct FunnelQuery {
  std::vector<EventFilter> steps;  // kFunnelStepsMin..kFunnelStepsMax
  int64_t window_seconds = 7 * 86'400;
  FunnelOrder order = FunnelOrder::kStrict;
  DateRange range;
  std::optional<DateRange> compare_range;  // a second run over another range
  GroupBy group_by;
};

struct FunnelStep {
  int64_t customers = 0;
  int64_t drop_off = 0;                   // customers of the previous step who stopped before it
  double conversion_from_previous = 0;    // customers / previous step's (1 at step 1)
  double conversion_from_first = 0;       // customers / step 1's
  std::optional<int64_t> median_seconds;  // time to this step (absent at step 1 or with nobody)
  std::optional<int64_t> p90_seconds;
};

struct FunnelGroup {
  std::string name;  // "" for the overall row
  std::vector<FunnelStep> steps;
};

struct FunnelRun {
  DateRange range;
  FunnelGroup overall;
  std::vector<FunnelGroup> groups;  // empty without group_by
};

struct FunnelResult {
  FunnelRun current;
  std::optional<FunnelRun> compare;
};

// InvalidArgument naming the field (/steps/2/event, /window_seconds, ...).
Status ValidateFunnel(const FunnelQuery& query);
Result<FunnelResult> RunFunnel(const QueryContext& context, const FunnelQuery& query);

// Which customers of one funnel cell: those who reached step `step` (1-based), those who
// reached step − 1 and stopped there (dropped off at `step`, step >= 2), or those who reached
// the last step (converted).
enum class FunnelMembersKind : uint8_t { kReached, kDroppedAt, kConverted };
struct FunnelSelection {
  std::optional<std::string> group;  // absent: overall
  int step = 1;
  FunnelMembersKind kind = FunnelMembersKind::kReached;
  bool compare_range = false;  // the compare run's cell
};
// The customers of the cell, as snapshot indexes (for "save as segment").
Result<engine::Bitmap> FunnelMembers(const QueryContext& context, const FunnelQuery& query,
                                     const FunnelSelection& selection);

}  // namespace banyan::analytics

#endif  // BANYAN_ANALYTICS_FUNNEL_H_
