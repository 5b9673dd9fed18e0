// LTV: each customer's lifetime value from a formula the bank configures per query — revenue
// from events (a numeric property of chosen events over a look-back window, annualised) plus
// holdings (an annual margin on balances held now), over a horizon of years, discounted — and
// its average, median, p90 and total per group (attribute, tag or branch) within the caller's
// scope, restricted to a segment when the envelope names one ("averaged by segment").
//
//   annual(c) = Σ revenue events' property in the window × 365 / window days
//             + Σ rate × balance held now (yuan)
//   LTV(c)    = annual(c) × Σ_{y=1..years} 1 / (1 + discount_rate)^y
//
// A customer without revenue or holdings has LTV 0 and is counted. LTV is an estimate: it is
// computed in double precision and shown rounded to the fen.
//
// Used by the analytics API (POST /api/v1/analytics/ltv). Thread safety: reads the context only.

#ifndef BANYAN_ANALYTICS_LTV_H_
#define BANYAN_ANALYTICS_LTV_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/query.h"

namespace banyan::analytics {

inline constexpr size_t kLtvRevenueMax = 8;
inline constexpr size_t kLtvHoldingsMax = 5;
inline constexpr int64_t kLtvYearsMax = 30;
// Balances the engine holds in fen, the only holdings a formula can price.
inline constexpr std::string_view kLtvHoldingAttributes[] = {
    "aum", "deposit_balance", "loan_balance", "credit_card_balance", "wealth_balance"};

struct LtvRevenue {
  EventFilter event;
  std::string property;  // numeric; events without it add nothing
};

struct LtvHolding {
  std::string attribute;  // one of kLtvHoldingAttributes
  double rate = 0;        // per year, per yuan held (0.006 = 0.6%)
};

struct LtvQuery {
  std::vector<LtvRevenue> revenue;   // at most kLtvRevenueMax
  int64_t lookback_days = 365;       // 1..kRangeDaysMax, ending now
  std::vector<LtvHolding> holdings;  // at most kLtvHoldingsMax
  int64_t years = 3;                 // 1..kLtvYearsMax
  double discount_rate = 0;          // 0..1
  GroupBy group_by;                  // kNone, kAttribute, kTag or kBranch
  int holding_scale = 2;             // fraction digits the engine holds balances with
};

struct LtvRow {
  std::string name;  // "" overall
  int64_t customers = 0;
  double total = 0, average = 0, median = 0, p90 = 0;  // yuan
};

struct LtvResult {
  double annuity = 0;  // Σ 1 / (1 + d)^y
  LtvRow overall;
  std::vector<LtvRow> groups;
};

Status ValidateLtv(const LtvQuery& query);
Result<LtvResult> RunLtv(const QueryContext& context, const LtvQuery& query);

}  // namespace banyan::analytics

#endif  // BANYAN_ANALYTICS_LTV_H_
