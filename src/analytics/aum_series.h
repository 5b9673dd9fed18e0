// AUM over time: per day, week or month of a date range, the bank's assets under management (or
// deposits, loans, card balances, wealth products) at the period's end, their daily average over
// the period, the customers holding them, and the net inflow — the change of the period-end
// amount from the previous period's end — overall and split by tier, branch or relationship
// manager. Read from the bank-wide daily sums the balance snapshots keep (profile/aum_daily.h),
// never from a customer's snapshot.
//
// A period's end is its last business date with any snapshot in the caller's scope ("as_of");
// a period without one has no figures (null). Net inflow counts every change of the amount held:
// money moved in or out, market value, and customers moving between branches or managers (an
// outflow from one, an inflow to the other). Tiers are the aum_tier tag's buckets as they are
// now, over the AUM bands each snapshot was counted in: a bucket bound must be a band edge.
//
// Used by the analytics API (POST /api/v1/analytics/aum/series). Thread safety: pure functions.

#ifndef BANYAN_ANALYTICS_AUM_SERIES_H_
#define BANYAN_ANALYTICS_AUM_SERIES_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "analytics/query.h"
#include "base/json.h"
#include "profile/aum_daily.h"

namespace banyan::analytics {

// How far before the range's start the previous period-end is looked for (net inflow of the
// first period).
inline constexpr int64_t kAumSeriesBaselineDaysMax = 31;

enum class AumSplit : uint8_t { kNone, kTier, kBranch, kRelationshipManager };

struct AumSeriesQuery {
  DateRange range;
  Interval interval = Interval::kMonth;
  size_t measure = 0;  // index into profile::kBalanceKeys: aum, deposit, loan, credit_card, wealth
  AumSplit split = AumSplit::kNone;
};

// One bucket of the aum_tier tag: min ≤ AUM < max, in yuan as canonical decimal text.
struct AumTierBucket {
  std::string value;
  std::string label;
  std::optional<std::string> min, max;
};

// The names a split shows: branch or staff id → {name, label}.
using AumNames = std::map<int64_t, std::pair<std::string, std::string>>;

struct AumSeriesInput {
  std::vector<profile::AumCell> cells;  // from range.from - kAumSeriesBaselineDaysMax to range.to
  std::vector<AumTierBucket> tiers;     // for AumSplit::kTier
  AumNames names;                       // for kBranch (branches) and kRelationshipManager (staff)
};

struct AumSeriesRow {
  std::string name;  // "" for overall
  std::string label;
  // Aligned with the periods; nullopt where the period has no snapshot. Amounts in fen.
  std::vector<std::optional<int64_t>> end, daily_average, net_inflow, customers;
};

struct AumSeriesResult {
  std::vector<std::string> periods;  // Periods labels: "2026-03-02", "2026-03"
  std::vector<std::optional<CivilDay>> as_of;
  AumSeriesRow overall;
  std::vector<AumSeriesRow> groups;
};

// {"range": {...}, "interval": "day" | "week" | "month" (default month), "measure": "aum" (the
// default) | "deposit" | "loan" | "credit_card" | "wealth", "group_by": "tier" | "branch" |
// "relationship_manager" (optional)}.
Result<AumSeriesQuery> ParseAumSeriesQuery(const Json& body);
// The first day whose cells the series needs.
CivilDay AumSeriesFirstDay(const AumSeriesQuery& query);

// InvalidArgument ("/group_by") when a tier bound is not an AUM band edge.
Result<AumSeriesResult> RunAumSeries(const AumSeriesQuery& query, const AumSeriesInput& input);
Json AumSeriesResultJson(const AumSeriesQuery& query, const AumSeriesResult& result);

}  // namespace banyan::analytics

#endif  // BANYAN_ANALYTICS_AUM_SERIES_H_
