#include "analytics/aum.h"

#include <fmt/format.h>

#include <algorithm>

#include "analytics/internal/groups.h"
#include "engine/scan.h"

namespace banyan::analytics {
namespace {

// Customers, holders and the exact total of `aum` among `members`. OutOfRange past int64.
Result<AumRow> Sum(const engine::Snapshot& snapshot, const engine::Bitmap& members) {
  AumRow row;
  row.customers = static_cast<int64_t>(members.Cardinality());
  if (!snapshot.catalog().FindAttribute(kAumAttribute)) return row;
  ASSIGN_OR_RETURN(const auto values, engine::NumericValues(snapshot, kAumAttribute, members));
  for (const auto& [index, value] : values) {
    if (__builtin_add_overflow(row.total, value, &row.total)) {
      return TooLargeError("the AUM total does not fit in 64 bits");
    }
    ++row.holders;
  }
  return row;
}

}  // namespace

std::string FormatFixed(int64_t value, int scale) {
  if (scale <= 0) return fmt::format("{}", value);
  int64_t unit = 1;
  for (int i = 0; i < scale; ++i) unit *= 10;
  const bool negative = value < 0;
  const uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(value) : value;
  return fmt::format("{}{}.{:0{}}", negative ? "-" : "", magnitude / unit, magnitude % unit, scale);
}

Result<AumResult> RunAum(const QueryContext& context, const AumQuery& query) {
  if (query.groupings.size() > kAumGroupingsMax) {
    return InvalidArgumentError(
        fmt::format("at most {} groupings (kAumGroupingsMax)", kAumGroupingsMax), "/group_by");
  }
  const engine::Snapshot& snapshot = *context.snapshot;
  AumResult result;
  ASSIGN_OR_RETURN(result.overall, Sum(snapshot, context.population));
  for (size_t g = 0; g < query.groupings.size(); ++g) {
    const AumGrouping& grouping = query.groupings[g];
    RETURN_IF_ERROR(context.deadline.Check());
    ASSIGN_OR_RETURN(
        const internal::CustomerGroups groups,
        internal::CustomerGroups::Make(context, grouping.group_by, context.population));
    std::vector<AumRow> rows;
    for (uint32_t i = 0; i < groups.names().size(); ++i) {
      ASSIGN_OR_RETURN(AumRow row, Sum(snapshot, groups.Members(i)));
      if (row.customers == 0) continue;
      row.name = groups.names()[i];
      row.label = row.name;
      const auto& values = grouping.group_by.values;
      const auto at = std::find(values.begin(), values.end(), row.name);
      if (at != values.end() && static_cast<size_t>(at - values.begin()) < grouping.labels.size()) {
        row.label = grouping.labels[at - values.begin()];
      }
      rows.push_back(std::move(row));
    }
    // Tiers keep their buckets' order; other groupings show the largest AUM first.
    if (grouping.group_by.values.empty()) {
      std::stable_sort(rows.begin(), rows.end(), [](const AumRow& a, const AumRow& b) {
        const bool a_none = a.name == kGroupNone, b_none = b.name == kGroupNone;
        if (a_none != b_none) return b_none;
        return a.total > b.total;
      });
    }
    result.groupings.push_back(std::move(rows));
  }
  if (query.products && snapshot.catalog().FindAttribute(kProductsAttribute)) {
    GroupBy by_product{GroupKind::kAttribute, std::string(kProductsAttribute), {}};
    ASSIGN_OR_RETURN(const internal::CustomerGroups groups,
                     internal::CustomerGroups::Make(context, by_product, context.population));
    const double population = static_cast<double>(context.population.Cardinality());
    for (uint32_t i = 0; i < groups.names().size(); ++i) {
      if (groups.names()[i] == kGroupNone || groups.names()[i] == kGroupOther) continue;
      const auto holders = static_cast<int64_t>(groups.Members(i).Cardinality());
      result.products.push_back(
          {groups.names()[i], holders, population > 0 ? holders / population : 0});
    }
    std::stable_sort(
        result.products.begin(), result.products.end(),
        [](const ProductShare& a, const ProductShare& b) { return a.customers > b.customers; });
  }
  return result;
}

}  // namespace banyan::analytics
