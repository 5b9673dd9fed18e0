#include "analytics/ltv.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "analytics/internal/event_match.h"
#include "analytics/internal/groups.h"
#include "analytics/internal/periods.h"
#include "analytics/internal/scan_loop.h"
#include "engine/scan.h"

namespace banyan::analytics {
namespace {

// Average, median, p90 and total of `values` (yuan); the nearest-rank percentiles.
LtvRow Stats(std::string name, std::vector<double> values) {
  LtvRow row;
  row.name = std::move(name);
  row.customers = static_cast<int64_t>(values.size());
  if (values.empty()) return row;
  for (const double v : values) row.total += v;
  row.average = row.total / static_cast<double>(values.size());
  const auto rank = [&](double p) {
    const auto k = static_cast<size_t>(std::ceil(p * static_cast<double>(values.size()))) - 1;
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
    return values[k];
  };
  row.median = rank(0.5);
  row.p90 = rank(0.9);
  return row;
}

}  // namespace

Status ValidateLtv(const LtvQuery& query) {
  if (query.revenue.empty() && query.holdings.empty()) {
    return InvalidArgumentError("the formula needs revenue events or holdings", "/revenue");
  }
  if (query.revenue.size() > kLtvRevenueMax) {
    return InvalidArgumentError(
        fmt::format("at most {} revenue events (kLtvRevenueMax)", kLtvRevenueMax), "/revenue");
  }
  for (size_t i = 0; i < query.revenue.size(); ++i) {
    const std::string pointer = fmt::format("/revenue/{}", i);
    RETURN_IF_ERROR(ValidateFilter(query.revenue[i].event, pointer));
    if (query.revenue[i].property.empty()) {
      return InvalidArgumentError("a numeric property to sum is required", pointer + "/property");
    }
  }
  if (query.lookback_days < 1 || query.lookback_days > kRangeDaysMax) {
    return InvalidArgumentError(fmt::format("expected 1 to {} days", kRangeDaysMax),
                                "/lookback_days");
  }
  if (query.holdings.size() > kLtvHoldingsMax) {
    return InvalidArgumentError(
        fmt::format("at most {} holdings (kLtvHoldingsMax)", kLtvHoldingsMax), "/holdings");
  }
  for (size_t i = 0; i < query.holdings.size(); ++i) {
    const std::string pointer = fmt::format("/holdings/{}", i);
    const LtvHolding& holding = query.holdings[i];
    if (std::find(std::begin(kLtvHoldingAttributes), std::end(kLtvHoldingAttributes),
                  holding.attribute) == std::end(kLtvHoldingAttributes)) {
      return InvalidArgumentError(
          "expected aum, deposit_balance, loan_balance, credit_card_balance or wealth_balance",
          pointer + "/attribute");
    }
    if (!(holding.rate >= -1 && holding.rate <= 1)) {
      return InvalidArgumentError("a yearly rate between -1 and 1", pointer + "/rate");
    }
  }
  if (query.years < 1 || query.years > kLtvYearsMax) {
    return InvalidArgumentError(fmt::format("expected 1 to {} years", kLtvYearsMax), "/years");
  }
  if (!(query.discount_rate >= 0 && query.discount_rate <= 1)) {
    return InvalidArgumentError("a yearly rate between 0 and 1", "/discount_rate");
  }
  if (internal::ReadsEvents(query.group_by)) {
    return InvalidArgumentError("LTV is a customer's: group by an attribute, a tag or the branch",
                                "/group_by/kind");
  }
  return ValidateGroupBy(query.group_by, "/group_by");
}

Result<LtvResult> RunLtv(const QueryContext& context, const LtvQuery& query) {
  RETURN_IF_ERROR(ValidateLtv(query));
  const engine::Snapshot& snapshot = *context.snapshot;
  const engine::Bitmap population = context.population & snapshot.live();
  LtvResult result;
  for (int64_t y = 1; y <= query.years; ++y) {
    result.annuity += 1 / std::pow(1 + query.discount_rate, static_cast<double>(y));
  }

  // Yearly value per customer: revenue in the window, annualised, then the holdings' margins.
  std::unordered_map<engine::CustomerIndex, double> yearly;
  const int64_t now = ToUnixSeconds(context.now);
  const uint32_t from = internal::EngineTime(now - query.lookback_days * 86'400);
  const uint32_t to = internal::EngineTime(now + 1);
  const double annualise = 365.0 / static_cast<double>(query.lookback_days);
  for (const LtvRevenue& revenue : query.revenue) {
    const internal::CompiledFilter filter =
        internal::CompiledFilter::Compile(snapshot, revenue.event);
    const std::optional<uint32_t> property =
        snapshot.catalog().property_keys->Find(revenue.property);
    if (filter.never() || !property) continue;
    const engine::Bitmap candidates = population & snapshot.EverDid(filter.type());
    RETURN_IF_ERROR(internal::ForEachCustomer(context, candidates, [&](uint32_t index) {
      const internal::SequenceView view = snapshot.Sequence(index);
      internal::SequenceWalk walk(view);
      int64_t sum = 0;
      const uint32_t end = view.LowerBound(to);
      for (uint32_t i = view.LowerBound(from); i < end; ++i) {
        if (view.types[i] != filter.type() || !filter.Passes(view, i, walk)) continue;
        const auto cell = internal::FindProperty(walk.Properties(i), *property);
        if (cell && !cell->is_string) sum += cell->value;
      }
      if (sum != 0) {
        yearly[index] += static_cast<double>(sum) / engine::kPropertyScale * annualise;
      }
    }));
  }
  const double unit = std::pow(10.0, query.holding_scale);
  for (const LtvHolding& holding : query.holdings) {
    RETURN_IF_ERROR(context.deadline.Check());
    if (!snapshot.catalog().FindAttribute(holding.attribute)) continue;
    ASSIGN_OR_RETURN(const auto values,
                     engine::NumericValues(snapshot, holding.attribute, population));
    for (const auto& [index, units] : values) {
      yearly[index] += holding.rate * static_cast<double>(units) / unit;
    }
  }

  const auto ltv_of = [&](const engine::Bitmap& members) {
    std::vector<double> values;
    values.reserve(members.Cardinality());
    members.ForEach([&](uint32_t index) {
      const auto it = yearly.find(index);
      values.push_back(it == yearly.end() ? 0 : it->second * result.annuity);
      return true;
    });
    return values;
  };
  result.overall = Stats("", ltv_of(population));
  if (query.group_by.kind != GroupKind::kNone) {
    RETURN_IF_ERROR(context.deadline.Check());
    ASSIGN_OR_RETURN(const internal::CustomerGroups groups,
                     internal::CustomerGroups::Make(context, query.group_by, population));
    for (uint32_t g = 0; g < groups.names().size(); ++g) {
      LtvRow row = Stats(groups.names()[g], ltv_of(groups.Members(g)));
      if (row.customers > 0) result.groups.push_back(std::move(row));
    }
    internal::SortGroups(result.groups, [](const LtvRow& row) { return row.average; });
  }
  return result;
}

}  // namespace banyan::analytics
