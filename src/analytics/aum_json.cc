// The JSON forms of AUM queries and results (declared in query_json.h).

#include <fmt/format.h>

#include "analytics/internal/json_common.h"
#include "analytics/query_json.h"

namespace banyan::analytics {
namespace {

constexpr std::string_view kTierTag = "aum_tier";

Json RowJson(const AumRow& row, int scale) {
  Json out = {{"customers", row.customers},
              {"holders", row.holders},
              {"total", FormatFixed(row.total, scale)},
              {"average", row.holders > 0 ? Json(FormatFixed(row.total / row.holders, scale))
                                          : Json(nullptr)}};
  if (!row.name.empty()) {
    out["name"] = row.name;
    out["label"] = row.label;
  }
  return out;
}

}  // namespace

Result<AumQuery> ParseAumQuery(const Json& body, const std::vector<std::string>& tier_values,
                               const std::vector<std::string>& tier_labels) {
  if (!body.is_object()) return InvalidArgumentError("expected a JSON object", "");
  ASSIGN_OR_RETURN(const JsonObjectReader reader, JsonObjectReader::Create(body));
  RETURN_IF_ERROR(reader.RejectUnknown({"group_by", "products"}));
  std::vector<std::string> names = {"tier", "branch", "relationship_manager"};
  if (reader.Has("group_by")) {
    const Json& list = body["group_by"];
    if (!list.is_array() || list.size() > kAumGroupingsMax) {
      return InvalidArgumentError(
          fmt::format("an array of at most {} groupings (kAumGroupingsMax)", kAumGroupingsMax),
          "/group_by");
    }
    names.clear();
    for (size_t i = 0; i < list.size(); ++i) {
      if (!list[i].is_string() || list[i].get<std::string>().empty() ||
          list[i].get<std::string>().size() > internal::kNameLengthMax) {
        return InvalidArgumentError(
            "expected \"tier\", \"branch\", \"relationship_manager\" or "
            "an attribute name",
            JsonPointer("/group_by", i));
      }
      names.push_back(list[i].get<std::string>());
    }
  }
  AumQuery query;
  for (const std::string& name : names) {
    AumGrouping grouping;
    grouping.name = name;
    if (name == "tier") {
      grouping.group_by = {GroupKind::kTag, std::string(kTierTag), tier_values};
      grouping.labels = tier_labels;
    } else if (name == "branch") {
      grouping.group_by = {GroupKind::kBranch, "", {}};
    } else if (name == "relationship_manager") {
      grouping.group_by = {GroupKind::kAttribute, std::string(kRelationshipManagerAttribute), {}};
    } else {
      grouping.group_by = {GroupKind::kAttribute, name, {}};
    }
    query.groupings.push_back(std::move(grouping));
  }
  ASSIGN_OR_RETURN(const std::optional<bool> products, reader.OptionalBool("products"));
  query.products = products.value_or(true);
  return query;
}

Json AumResultJson(const AumQuery& query, const AumResult& result) {
  Json groupings = Json::object();
  for (size_t g = 0; g < result.groupings.size(); ++g) {
    Json rows = Json::array();
    for (const AumRow& row : result.groupings[g]) rows.push_back(RowJson(row, query.aum_scale));
    groupings[query.groupings[g].name] = std::move(rows);
  }
  Json products = Json::array();
  for (const ProductShare& p : result.products) {
    products.push_back({{"product", p.product},
                        {"customers", p.customers},
                        {"share", internal::Rounded(p.share)}});
  }
  return {{"unit", "yuan"},
          {"overall", RowJson(result.overall, query.aum_scale)},
          {"groups", std::move(groupings)},
          {"products", std::move(products)}};
}

}  // namespace banyan::analytics
