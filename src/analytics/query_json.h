// The JSON forms of analytics queries and results: what POST /api/v1/analytics/{kind} takes and
// answers (docs/analytics.md has every field). Parsing refuses unknown members and names the
// field of every error by JSON pointer ("/steps/2/where/0/op: ..."); results are shaped for
// charts — one array per series, aligned with the steps or periods they describe.
//
// Members every query may carry besides its own: "segment" (a segment expression the API
// evaluates and ANDs with the caller's scope), "time_limit_ms", and "select" (a cell whose
// customers to return instead of the result, for "save as segment").
// Thread safety: pure functions.

#ifndef BANYAN_ANALYTICS_QUERY_JSON_H_
#define BANYAN_ANALYTICS_QUERY_JSON_H_

#include <cstdint>
#include <optional>
#include <string>

#include "analytics/activity.h"
#include "analytics/aum.h"
#include "analytics/funnel.h"
#include "analytics/lifecycle.h"
#include "analytics/ltv.h"
#include "analytics/retention.h"
#include "analytics/trend.h"
#include "base/json.h"
#include "base/result.h"

namespace banyan::analytics {

inline constexpr size_t kSegmentTextMax = 4096;

// What the API does around a query, whatever its kind.
struct QueryEnvelope {
  std::optional<std::string> segment;
  int64_t time_limit_ms = kQueryTimeMsDefault;
  std::optional<Json> select;  // present: return the selected customers
};

// Reads (and removes from `body`) the envelope's members.
Result<QueryEnvelope> TakeEnvelope(Json& body);

Result<FunnelQuery> ParseFunnelQuery(const Json& body);
Json FunnelResultJson(const FunnelQuery& query, const FunnelResult& result);
// {"group": "alipay", "step": 2, "kind": "reached" | "dropped" | "converted",
//  "compare_range": false}
Result<FunnelSelection> ParseFunnelSelection(const Json& select);

Result<RetentionQuery> ParseRetentionQuery(const Json& body);
Json RetentionResultJson(const RetentionQuery& query, const RetentionResult& result);
// {"group": "wechat", "cohort": "2026-03-02", "period": 3}
Result<RetentionSelection> ParseRetentionSelection(const Json& select);

Result<TrendQuery> ParseTrendQuery(const Json& body);
Json TrendResultJson(const TrendQuery& query, const TrendResult& result);

// An activity query, or with "followers" a followers query: {"followers": {"follow":
// "subscribe", "unfollow": "unsubscribe", "channel": "wechat"}, "range", "group_by"}.
struct FollowersQuery {
  EventFilter follow;
  EventFilter unfollow;
  DateRange range;
  GroupBy group_by;
};
Result<ActivityQuery> ParseActivityQuery(const Json& body);
Json ActivityResultJson(const ActivityQuery& query, const ActivityResult& result);
// Null when `body` is not a followers query.
Result<std::optional<FollowersQuery>> ParseFollowersQuery(const Json& body);
// Gained and lost customers per day (two trends of unique customers), net = gained − lost.
Result<Json> RunFollowersJson(const QueryContext& context, const FollowersQuery& query);

// {"interval": "month", "range": ..., "rules": {...}}: without "rules", `default_rules` (the
// lifecycle tag's).
Result<LifecycleQuery> ParseLifecycleQuery(const Json& body,
                                           const segment::LifecycleRules& default_rules);
Json LifecycleResultJson(const LifecycleQuery& query, const LifecycleResult& result);

// {"group_by": ["tier", "branch", "relationship_manager"], "products": true} (those are the
// defaults). `tier_values` and `tier_labels`: the aum_tier tag's buckets, in order.
// {"revenue": [{"event", "channel", "where", "property"}], "lookback_days": 365,
//  "holdings": [{"attribute": "wealth_balance", "rate": 0.006}], "years": 3,
//  "discount_rate": 0.08, "group_by": {...}} (docs/analytics.md, "LTV").
Result<LtvQuery> ParseLtvQuery(const Json& body);
Json LtvResultJson(const LtvQuery& query, const LtvResult& result);

Result<AumQuery> ParseAumQuery(const Json& body, const std::vector<std::string>& tier_values,
                               const std::vector<std::string>& tier_labels);
Json AumResultJson(const AumQuery& query, const AumResult& result);

}  // namespace banyan::analytics

#endif  // BANYAN_ANALYTICS_QUERY_JSON_H_
