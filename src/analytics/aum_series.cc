#include "analytics/aum_series.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "analytics/aum.h"
#include "analytics/internal/json_common.h"
#include "analytics/internal/periods.h"
#include "profile/balances.h"
#include "profile/internal/decimal.h"

namespace banyan::analytics {
namespace {

constexpr std::string_view kNoneName = kGroupNone;
constexpr int64_t kNoGroup = INT64_MIN;  // the "(none)" group of a split
constexpr int64_t kOtherGroup = INT64_MIN + 1;

// Which tier row each band falls in: the bucket's index, or kOtherGroup when no bucket holds
// the whole band. InvalidArgument when a bound cuts a band.
Result<std::vector<int64_t>> TierOfBands(const std::vector<AumTierBucket>& tiers) {
  std::vector<int64_t> tier_of(profile::kAumBands, kOtherGroup);
  for (size_t t = 0; t < tiers.size(); ++t) {
    std::optional<int64_t> min, max;
    for (const auto& [bound, out] :
         {std::pair{&tiers[t].min, &min}, std::pair{&tiers[t].max, &max}}) {
      if (!*bound) continue;
      ASSIGN_OR_RETURN(*out, profile::internal::ParseDecimal(**bound, 2));
      if (std::find(std::begin(profile::kAumBandEdges), std::end(profile::kAumBandEdges), **out) ==
          std::end(profile::kAumBandEdges)) {
        return InvalidArgumentError(
            fmt::format("the aum_tier bucket \"{}\" has the bound {} yuan, which is not an AUM "
                        "band edge (10,000 × 1, 2, 5, 10, …): AUM over time cannot split there",
                        tiers[t].value, **bound),
            "/group_by");
      }
    }
    // Band 0 counts as starting at 0 (it also holds the rare negative AUM).
    for (int band = 0; band < profile::kAumBands; ++band) {
      const bool above_min = !min || profile::kAumBandEdges[band] >= *min;
      const bool below_max =
          !max || (band + 1 < profile::kAumBands && profile::kAumBandEdges[band + 1] <= *max);
      if (above_min && below_max && tier_of[band] == kOtherGroup) {
        tier_of[band] = static_cast<int64_t>(t);
      }
    }
  }
  return tier_of;
}

// The day's figures of one row: the measure's sum and the customers it counts.
struct Day {
  int64_t amount = 0;
  int64_t customers = 0;
};

struct Period {
  CivilDay first, last;  // within the range
  std::string label;
};

std::vector<Period> MakePeriods(const AumSeriesQuery& query) {
  std::vector<Period> periods;
  for (CivilDay start = internal::PeriodStart(query.interval, query.range.from);
       start <= query.range.to; start = internal::NextPeriod(query.interval, start)) {
    const CivilDay next = internal::NextPeriod(query.interval, start);
    Period period{std::max(start, query.range.from), std::min(next - 1, query.range.to), ""};
    period.label = query.interval == Interval::kMonth
                       ? fmt::format("{:04}-{:02}", start.year(), start.month())
                       : FormatDate(start);
    periods.push_back(std::move(period));
  }
  return periods;
}

// Rounded half away from zero.
int64_t Average(int64_t sum, int64_t count) {
  const int64_t half = count / 2;
  return sum >= 0 ? (sum + half) / count : -((-sum + half) / count);
}

}  // namespace

Result<AumSeriesQuery> ParseAumSeriesQuery(const Json& body) {
  if (!body.is_object()) return InvalidArgumentError("expected a JSON object", "");
  ASSIGN_OR_RETURN(const JsonObjectReader reader, JsonObjectReader::Create(body));
  RETURN_IF_ERROR(reader.RejectUnknown({"range", "interval", "measure", "group_by"}));
  AumSeriesQuery query;
  RETURN_IF_ERROR(internal::ReadPeriodMembers(body, query.range, &query.interval, nullptr));
  ASSIGN_OR_RETURN(const std::optional<std::string> measure,
                   reader.OptionalString("measure", internal::kNameLengthMax));
  if (measure) {
    const auto* key =
        std::find(std::begin(profile::kBalanceKeys), std::end(profile::kBalanceKeys), *measure);
    if (key == std::end(profile::kBalanceKeys)) {
      return InvalidArgumentError(
          "expected \"aum\", \"deposit\", \"loan\", \"credit_card\" or \"wealth\"", "/measure");
    }
    query.measure = static_cast<size_t>(key - std::begin(profile::kBalanceKeys));
  }
  ASSIGN_OR_RETURN(const std::optional<std::string> split,
                   reader.OptionalString("group_by", internal::kNameLengthMax));
  if (split) {
    if (*split == "tier") {
      query.split = AumSplit::kTier;
    } else if (*split == "branch") {
      query.split = AumSplit::kBranch;
    } else if (*split == "relationship_manager") {
      query.split = AumSplit::kRelationshipManager;
    } else {
      return InvalidArgumentError(
          "expected \"tier\", \"branch\" or \"relationship_manager\" (AUM over time is kept per "
          "branch, manager and band)",
          "/group_by");
    }
  }
  return query;
}

CivilDay AumSeriesFirstDay(const AumSeriesQuery& query) {
  return query.range.from - kAumSeriesBaselineDaysMax;
}

Result<AumSeriesResult> RunAumSeries(const AumSeriesQuery& query, const AumSeriesInput& input) {
  std::vector<int64_t> tier_of;
  if (query.split == AumSplit::kTier) {
    ASSIGN_OR_RETURN(tier_of, TierOfBands(input.tiers));
  }
  const auto group_of = [&](const profile::AumCell& cell) -> int64_t {
    switch (query.split) {
      case AumSplit::kNone:
        return kNoGroup;
      case AumSplit::kTier:
        return cell.key.band == profile::kNoAumBand ? kNoGroup : tier_of[cell.key.band];
      case AumSplit::kBranch:
        return cell.key.branch_id == 0 ? kNoGroup : cell.key.branch_id;
      case AumSplit::kRelationshipManager:
        return cell.key.rm_id == 0 ? kNoGroup : cell.key.rm_id;
    }
    return kNoGroup;
  };

  // Per date with any snapshot: the overall figures and each group's.
  std::map<CivilDay, Day> overall;
  std::map<int64_t, std::map<CivilDay, Day>> groups;
  if (query.split == AumSplit::kTier) {
    for (size_t t = 0; t < input.tiers.size(); ++t) groups[static_cast<int64_t>(t)];  // all shown
  }
  for (const profile::AumCell& cell : input.cells) {
    if (cell.date > query.range.to) continue;
    const Day add{cell.fen[query.measure], query.measure == 0 ? cell.aum_holders : cell.customers};
    Day& all = overall[cell.date];
    all.amount += add.amount;
    all.customers += add.customers;
    if (query.split == AumSplit::kNone) continue;
    Day& day = groups[group_of(cell)][cell.date];
    day.amount += add.amount;
    day.customers += add.customers;
  }

  const std::vector<Period> periods = MakePeriods(query);
  AumSeriesResult result;
  std::vector<std::vector<CivilDay>> dates(periods.size());  // with data, per period
  for (size_t p = 0; p < periods.size(); ++p) {
    result.periods.push_back(periods[p].label);
    for (auto it = overall.lower_bound(periods[p].first);
         it != overall.end() && it->first <= periods[p].last; ++it) {
      dates[p].push_back(it->first);
    }
    result.as_of.push_back(dates[p].empty() ? std::nullopt : std::optional(dates[p].back()));
  }
  std::optional<CivilDay> baseline;
  if (auto it = overall.lower_bound(query.range.from); it != overall.begin()) {
    baseline = std::prev(it)->first;
  }

  const auto fill = [&](const std::map<CivilDay, Day>& days, AumSeriesRow& row) {
    const auto at = [&](CivilDay day) {
      const auto it = days.find(day);
      return it == days.end() ? Day() : it->second;
    };
    std::optional<int64_t> previous = baseline ? std::optional(at(*baseline).amount) : std::nullopt;
    for (size_t p = 0; p < periods.size(); ++p) {
      if (dates[p].empty()) {
        for (auto* column : {&row.end, &row.daily_average, &row.net_inflow, &row.customers}) {
          column->push_back(std::nullopt);
        }
        previous = std::nullopt;
        continue;
      }
      const Day end = at(dates[p].back());
      int64_t sum = 0;
      for (const CivilDay day : dates[p]) sum += at(day).amount;
      row.end.push_back(end.amount);
      row.customers.push_back(end.customers);
      row.daily_average.push_back(Average(sum, static_cast<int64_t>(dates[p].size())));
      row.net_inflow.push_back(previous ? std::optional(end.amount - *previous) : std::nullopt);
      previous = end.amount;
    }
  };
  fill(overall, result.overall);

  for (const auto& [group, days] : groups) {
    AumSeriesRow row;
    if (group == kNoGroup) {
      row.name = row.label = std::string(kNoneName);
    } else if (group == kOtherGroup) {
      row.name = row.label = std::string(kGroupOther);
    } else if (query.split == AumSplit::kTier) {
      row.name = input.tiers[group].value;
      row.label = input.tiers[group].label;
    } else if (const auto it = input.names.find(group); it != input.names.end()) {
      row.name = it->second.first;
      row.label = it->second.second;
    } else {
      row.name = row.label = fmt::format("#{}", group);  // a branch or staff member since removed
    }
    fill(days, row);
    result.groups.push_back(std::move(row));
  }
  // Tiers in the tag's order; branches and managers largest last figure first. "(other)" and
  // "(none)" last.
  const auto last = [](const AumSeriesRow& row) {
    for (auto it = row.end.rbegin(); it != row.end.rend(); ++it) {
      if (*it) return **it;
    }
    return int64_t{0};
  };
  const auto rank = [&](const AumSeriesRow& row) {
    if (row.name == kNoneName) return 2;
    return row.name == kGroupOther ? 1 : 0;
  };
  std::vector<std::string> tier_order;
  for (const AumTierBucket& tier : input.tiers) tier_order.push_back(tier.value);
  std::stable_sort(result.groups.begin(), result.groups.end(),
                   [&](const AumSeriesRow& a, const AumSeriesRow& b) {
                     if (rank(a) != rank(b)) return rank(a) < rank(b);
                     if (query.split == AumSplit::kTier) {
                       return std::find(tier_order.begin(), tier_order.end(), a.name) <
                              std::find(tier_order.begin(), tier_order.end(), b.name);
                     }
                     return last(a) > last(b);
                   });
  // Beyond kGroupsMax, the smallest fold into "(other)" (every row has figures for the same
  // periods, so they add up column by column).
  if (result.groups.size() > kGroupsMax) {
    std::vector<AumSeriesRow> kept;
    std::optional<AumSeriesRow> other, none;
    for (AumSeriesRow& row : result.groups) {
      if (row.name == kNoneName) {
        none = std::move(row);
      } else if (kept.size() + 2 < kGroupsMax) {
        kept.push_back(std::move(row));
      } else if (!other) {
        other = std::move(row);
        other->name = other->label = std::string(kGroupOther);
      } else {
        for (auto column : {&AumSeriesRow::end, &AumSeriesRow::daily_average,
                            &AumSeriesRow::net_inflow, &AumSeriesRow::customers}) {
          for (size_t p = 0; p < periods.size(); ++p) {
            auto& into = ((*other).*column)[p];
            if (into && (row.*column)[p]) *into += *(row.*column)[p];
          }
        }
      }
    }
    if (other) kept.push_back(std::move(*other));
    if (none) kept.push_back(std::move(*none));
    result.groups = std::move(kept);
  }
  return result;
}

Json AumSeriesResultJson(const AumSeriesQuery& query, const AumSeriesResult& result) {
  const auto amounts = [](const std::vector<std::optional<int64_t>>& values) {
    Json out = Json::array();
    for (const auto& value : values) out.push_back(value ? Json(FormatFixed(*value, 2)) : Json());
    return out;
  };
  const auto row_json = [&](const AumSeriesRow& row) {
    Json out = {{"end", amounts(row.end)},
                {"daily_average", amounts(row.daily_average)},
                {"net_inflow", amounts(row.net_inflow)},
                {"customers", internal::OptionalArray(row.customers)}};
    if (!row.name.empty()) {
      out["name"] = row.name;
      out["label"] = row.label;
    }
    return out;
  };
  Json as_of = Json::array();
  for (const auto& day : result.as_of) as_of.push_back(day ? Json(FormatDate(*day)) : Json());
  static constexpr std::string_view kSplits[] = {"", "tier", "branch", "relationship_manager"};
  Json out = {{"range", internal::RangeJson(query.range)},
              {"interval", IntervalName(query.interval)},
              {"measure", profile::kBalanceKeys[query.measure]},
              {"periods", result.periods},
              {"as_of", std::move(as_of)},
              {"overall", row_json(result.overall)}};
  if (query.split != AumSplit::kNone) {
    out["group_by"] = kSplits[static_cast<size_t>(query.split)];
    Json groups = Json::array();
    for (const AumSeriesRow& row : result.groups) groups.push_back(row_json(row));
    out["groups"] = std::move(groups);
  }
  return out;
}

}  // namespace banyan::analytics
