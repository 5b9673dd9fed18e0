// AUM now: the assets under management of the customers a query may count — total, holders and
// average — overall and split by tier (the aum_tier tag's buckets), branch, relationship manager
// or any other grouping, and product penetration (the share of the customers holding each value
// of the `products` attribute). Read from the engine's current attribute values on one snapshot;
// amounts are summed exactly in the attribute's fixed-point unit (fen for the profile's `aum`).
//
// Not here (docs/analytics.md, "Not yet"): AUM over time, net inflow and LTV, which need the
// daily balance snapshots (profile/balances.h) aggregated across customers.
//
// Used by the analytics API (/api/v1/analytics/aum). Thread safety: reads the context only.

#ifndef BANYAN_ANALYTICS_AUM_H_
#define BANYAN_ANALYTICS_AUM_H_

#include <cstdint>
#include <string>
#include <vector>

#include "analytics/query.h"

namespace banyan::analytics {

inline constexpr size_t kAumGroupingsMax = 4;
inline constexpr std::string_view kAumAttribute = "aum";
inline constexpr std::string_view kProductsAttribute = "products";

struct AumGrouping {
  std::string name;                 // "tier", "branch", "relationship_manager", ...
  GroupBy group_by;                 // kTag (with values), kBranch or kAttribute
  std::vector<std::string> labels;  // optional, aligned with group_by.values (tier labels)
};

struct AumQuery {
  std::vector<AumGrouping> groupings;  // at most kAumGroupingsMax
  bool products = true;
  int aum_scale = 2;  // fraction digits the engine holds `aum` with
};

struct AumRow {
  std::string name;       // "" overall
  std::string label;      // from AumGrouping::labels, else the name
  int64_t customers = 0;  // in the row
  int64_t holders = 0;    // with an AUM value
  int64_t total = 0;      // in units of 10^-aum_scale
};

struct ProductShare {
  std::string product;
  int64_t customers = 0;
  double share = 0;  // of the population
};

struct AumResult {
  AumRow overall;
  std::vector<std::vector<AumRow>> groupings;  // aligned with the query's
  std::vector<ProductShare> products;          // most held first
};

Result<AumResult> RunAum(const QueryContext& context, const AumQuery& query);

// "523410.25" for 52341025 at scale 2.
std::string FormatFixed(int64_t value, int scale);

}  // namespace banyan::analytics

#endif  // BANYAN_ANALYTICS_AUM_H_
