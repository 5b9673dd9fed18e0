// The JSON forms of lifecycle queries and results (declared in query_json.h).

#include "analytics/internal/json_common.h"
#include "analytics/query_json.h"

namespace banyan::analytics {
namespace {

segment::LifecycleStage StageAt(size_t i) { return static_cast<segment::LifecycleStage>(i); }

}  // namespace

Result<LifecycleQuery> ParseLifecycleQuery(const Json& body,
                                           const segment::LifecycleRules& default_rules) {
  if (!body.is_object()) return InvalidArgumentError("expected a JSON object", "");
  ASSIGN_OR_RETURN(const JsonObjectReader reader, JsonObjectReader::Create(body));
  RETURN_IF_ERROR(reader.RejectUnknown({"interval", "range", "rules"}));
  LifecycleQuery query;
  RETURN_IF_ERROR(internal::ReadPeriodMembers(body, query.range, &query.interval, nullptr));
  query.rules = default_rules;
  if (reader.Has("rules")) {
    Result<segment::LifecycleRules> rules = segment::LifecycleRulesFromJson(body["rules"]);
    if (!rules.ok()) {
      return Status(rules.status().code(), rules.status().message(),
                    "/rules" + rules.status().field());
    }
    query.rules = *std::move(rules);
  }
  RETURN_IF_ERROR(ValidateLifecycle(query));
  return query;
}

Json LifecycleResultJson(const LifecycleQuery& query, const LifecycleResult& result) {
  Json periods = Json::array(), as_of = Json::array(), stages = Json::array(),
       labels = Json::array(), series = Json::object(), flows = Json::array();
  for (size_t s = 0; s < kLifecycleStagesWithNone; ++s) {
    stages.push_back(segment::LifecycleStageName(StageAt(s)));
    labels.push_back(segment::LifecycleStageLabel(StageAt(s)));
    series[std::string(segment::LifecycleStageName(StageAt(s)))] = Json::array();
  }
  for (const LifecyclePeriod& period : result.periods) {
    periods.push_back(period.period);
    as_of.push_back(FormatRfc3339(period.as_of));
    for (size_t s = 0; s < kLifecycleStagesWithNone; ++s) {
      series[std::string(segment::LifecycleStageName(StageAt(s)))].push_back(period.customers[s]);
    }
    for (size_t from = 0; from < kLifecycleStagesWithNone; ++from) {
      for (size_t to = 0; to < kLifecycleStagesWithNone; ++to) {
        if (from == to || period.flows[from][to] == 0) continue;
        flows.push_back({{"period", period.period},
                         {"from", segment::LifecycleStageName(StageAt(from))},
                         {"to", segment::LifecycleStageName(StageAt(to))},
                         {"customers", period.flows[from][to]}});
      }
    }
  }
  return {{"interval", IntervalName(query.interval)},
          {"range", internal::RangeJson(query.range)},
          {"rules", segment::LifecycleRulesToJson(query.rules)},
          {"stages", std::move(stages)},
          {"labels", std::move(labels)},
          {"periods", std::move(periods)},
          {"as_of", std::move(as_of)},
          {"customers", std::move(series)},
          {"flows", std::move(flows)}};
}

}  // namespace banyan::analytics
