// /api/v1/analytics/{funnel,retention,activity,trend}: POST a JSON query (analytics/query_json.h,
// docs/analytics.md), get a result shaped for charts. Every query counts only the customers the
// caller may see (CustomerService::VisibleCustomers), optionally ANDed with a segment
// expression; it stops at its time limit with 504 and a message naming the limit; results are
// cached by query, caller, minute and engine snapshot version. With "select" the answer is the
// customers of one result cell (drop-offs at a step, a cohort cell), for saving as a segment.
// Thread safety: handlers are safe from any thread; the cache is shared by the routes.

#ifndef BANYAN_API_ANALYTICS_HANDLERS_H_
#define BANYAN_API_ANALYTICS_HANDLERS_H_

#include <vector>

#include "api/api.h"
#include "http/router.h"

namespace banyan::api {

// The most OneIDs a "select" answer lists (the count is always exact).
inline constexpr size_t kAnalyticsMembersMax = 100'000;

// Registers the analytics routes (permission analytics:read).
void RegisterAnalyticsRoutes(http::Router& router, ApiDeps& deps);
std::vector<RouteInfo> ListAnalyticsRoutes();

}  // namespace banyan::api

#endif  // BANYAN_API_ANALYTICS_HANDLERS_H_
