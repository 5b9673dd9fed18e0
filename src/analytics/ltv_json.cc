// The JSON forms of LTV queries and results (declared in query_json.h).

#include <fmt/format.h>

#include <cmath>

#include "analytics/internal/json_common.h"
#include "analytics/query_json.h"

namespace banyan::analytics {
namespace {

// Yuan to the fen, as text: "1234.57".
std::string Yuan(double value) { return fmt::format("{:.2f}", std::round(value * 100) / 100); }

Json RowJson(const LtvRow& row) {
  Json out = {{"customers", row.customers},
              {"average", Yuan(row.average)},
              {"median", Yuan(row.median)},
              {"p90", Yuan(row.p90)},
              {"total", Yuan(row.total)}};
  if (!row.name.empty()) out["name"] = row.name;
  return out;
}

}  // namespace

Result<LtvQuery> ParseLtvQuery(const Json& body) {
  if (!body.is_object()) return InvalidArgumentError("expected a JSON object", "");
  ASSIGN_OR_RETURN(const JsonObjectReader reader, JsonObjectReader::Create(body));
  RETURN_IF_ERROR(reader.RejectUnknown(
      {"revenue", "lookback_days", "holdings", "years", "discount_rate", "group_by"}));
  LtvQuery query;
  if (reader.Has("revenue")) {
    const Json& list = body["revenue"];
    if (!list.is_array() || list.size() > kLtvRevenueMax) {
      return InvalidArgumentError(
          fmt::format("an array of at most {} revenue events (kLtvRevenueMax)", kLtvRevenueMax),
          "/revenue");
    }
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string pointer = fmt::format("/revenue/{}", i);
      if (!list[i].is_object()) return InvalidArgumentError("expected an object", pointer);
      Json filter = list[i];
      LtvRevenue revenue;
      if (const auto it = filter.find("property"); it != filter.end()) {
        if (!it->is_string())
          return InvalidArgumentError("expected a string", pointer + "/property");
        revenue.property = it->get<std::string>();
        filter.erase("property");
      }
      ASSIGN_OR_RETURN(revenue.event, internal::ReadFilter(filter, pointer));
      query.revenue.push_back(std::move(revenue));
    }
  }
  if (reader.Has("holdings")) {
    const Json& list = body["holdings"];
    if (!list.is_array() || list.size() > kLtvHoldingsMax) {
      return InvalidArgumentError(
          fmt::format("an array of at most {} holdings (kLtvHoldingsMax)", kLtvHoldingsMax),
          "/holdings");
    }
    for (size_t i = 0; i < list.size(); ++i) {
      ASSIGN_OR_RETURN(const JsonObjectReader item,
                       JsonObjectReader::Create(list[i], fmt::format("/holdings/{}", i)));
      RETURN_IF_ERROR(item.RejectUnknown({"attribute", "rate"}));
      LtvHolding holding;
      ASSIGN_OR_RETURN(holding.attribute, item.String("attribute", internal::kNameLengthMax));
      ASSIGN_OR_RETURN(const std::optional<double> rate, item.OptionalNumber("rate"));
      if (!rate) {
        return InvalidArgumentError("a yearly rate is required",
                                    fmt::format("/holdings/{}/rate", i));
      }
      holding.rate = *rate;
      query.holdings.push_back(std::move(holding));
    }
  }
  ASSIGN_OR_RETURN(const std::optional<int64_t> lookback,
                   reader.OptionalInt("lookback_days", 1, kRangeDaysMax));
  query.lookback_days = lookback.value_or(365);
  ASSIGN_OR_RETURN(const std::optional<int64_t> years,
                   reader.OptionalInt("years", 1, kLtvYearsMax));
  query.years = years.value_or(3);
  ASSIGN_OR_RETURN(const std::optional<double> discount, reader.OptionalNumber("discount_rate"));
  query.discount_rate = discount.value_or(0);
  if (reader.Has("group_by")) {
    ASSIGN_OR_RETURN(query.group_by, internal::ReadGroupBy(body["group_by"], "/group_by"));
  }
  RETURN_IF_ERROR(ValidateLtv(query));
  return query;
}

Json LtvResultJson(const LtvQuery& query, const LtvResult& result) {
  Json groups = Json::array();
  for (const LtvRow& row : result.groups) groups.push_back(RowJson(row));
  return {{"unit", "yuan"},
          {"lookback_days", query.lookback_days},
          {"years", query.years},
          {"discount_rate", query.discount_rate},
          {"annuity", internal::Rounded(result.annuity)},
          {"overall", RowJson(result.overall)},
          {"groups", std::move(groups)}};
}

}  // namespace banyan::analytics
