#include "analytics/query_json.h"

#include <fmt/format.h>

#include <algorithm>

#include "analytics/internal/json_common.h"

namespace banyan::analytics {
namespace {

using internal::Member;
using internal::Rounded;

Json FunnelGroupJson(const FunnelGroup& group) {
  Json customers = Json::array(), from_previous = Json::array(), from_first = Json::array(),
       drop_off = Json::array();
  std::vector<std::optional<int64_t>> median, p90;
  for (const FunnelStep& step : group.steps) {
    customers.push_back(step.customers);
    from_previous.push_back(Rounded(step.conversion_from_previous));
    from_first.push_back(Rounded(step.conversion_from_first));
    drop_off.push_back(step.drop_off);
    median.push_back(step.median_seconds);
    p90.push_back(step.p90_seconds);
  }
  return {{"customers", customers},
          {"conversion_from_previous", from_previous},
          {"conversion_from_first", from_first},
          {"drop_off", drop_off},
          {"median_seconds", internal::OptionalArray(median)},
          {"p90_seconds", internal::OptionalArray(p90)}};
}

Json FunnelRunJson(const FunnelRun& run) {
  Json groups = Json::array();
  for (const FunnelGroup& group : run.groups) {
    Json row = FunnelGroupJson(group);
    row["name"] = group.name;
    groups.push_back(std::move(row));
  }
  return {{"range", internal::RangeJson(run.range)},
          {"overall", FunnelGroupJson(run.overall)},
          {"groups", std::move(groups)}};
}

Json RetentionTableJson(const RetentionTable& table) {
  Json cohorts = Json::array();
  for (const RetentionCohort& cohort : table.cohorts) {
    std::vector<std::optional<double>> rates;
    for (const auto& rate : cohort.rates) {
      rates.push_back(rate ? std::optional<double>(Rounded(*rate)) : std::nullopt);
    }
    cohorts.push_back({{"cohort", cohort.label},
                       {"customers", cohort.customers},
                       {"retained", internal::OptionalArray(cohort.retained)},
                       {"rates", internal::OptionalArray(rates)},
                       {"urr", cohort.urr ? Json(Rounded(*cohort.urr)) : Json(nullptr)}});
  }
  std::vector<std::optional<double>> average;
  for (const auto& rate : table.average_rates) {
    average.push_back(rate ? std::optional<double>(Rounded(*rate)) : std::nullopt);
  }
  return {{"customers", table.customers},
          {"cohorts", std::move(cohorts)},
          {"average_rates", internal::OptionalArray(average)}};
}

}  // namespace

Result<QueryEnvelope> TakeEnvelope(Json& body) {
  if (!body.is_object()) return InvalidArgumentError("expected a JSON object", "");
  ASSIGN_OR_RETURN(const JsonObjectReader reader, JsonObjectReader::Create(body));
  QueryEnvelope envelope;
  ASSIGN_OR_RETURN(envelope.segment, reader.OptionalString("segment", kSegmentTextMax));
  ASSIGN_OR_RETURN(const std::optional<int64_t> limit,
                   reader.OptionalInt("time_limit_ms", 1, kQueryTimeMsMax));
  envelope.time_limit_ms = limit.value_or(kQueryTimeMsDefault);
  if (body.contains("select") && !body["select"].is_null()) envelope.select = body["select"];
  body.erase("segment");
  body.erase("time_limit_ms");
  body.erase("select");
  return envelope;
}

Result<FunnelQuery> ParseFunnelQuery(const Json& body) {
  if (!body.is_object()) return InvalidArgumentError("expected a JSON object", "");
  ASSIGN_OR_RETURN(const JsonObjectReader reader, JsonObjectReader::Create(body));
  RETURN_IF_ERROR(
      reader.RejectUnknown({"steps", "window", "order", "range", "compare_range", "group_by"}));
  FunnelQuery query;
  ASSIGN_OR_RETURN(const Json* steps, Member(body, "steps", ""));
  if (!steps->is_array() || steps->size() < kFunnelStepsMin || steps->size() > kFunnelStepsMax) {
    return InvalidArgumentError(fmt::format("an array of {} to {} steps (kFunnelStepsMax)",
                                            kFunnelStepsMin, kFunnelStepsMax),
                                "/steps");
  }
  for (size_t i = 0; i < steps->size(); ++i) {
    ASSIGN_OR_RETURN(EventFilter step, internal::ReadFilter((*steps)[i], JsonPointer("/steps", i)));
    query.steps.push_back(std::move(step));
  }
  if (reader.Has("window")) {
    ASSIGN_OR_RETURN(query.window_seconds,
                     internal::ReadDuration(body["window"], "/window", kFunnelWindowSecondsMax));
  }
  ASSIGN_OR_RETURN(const std::optional<std::string> order, reader.OptionalString("order", 16));
  if (order && *order == "any") {
    query.order = FunnelOrder::kAnyOrder;
  } else if (order && *order != "strict") {
    return InvalidArgumentError("expected \"strict\" or \"any\"", "/order");
  }
  RETURN_IF_ERROR(internal::ReadPeriodMembers(body, query.range, nullptr, &query.group_by));
  if (reader.Has("compare_range")) {
    ASSIGN_OR_RETURN(query.compare_range,
                     internal::ReadRange(body["compare_range"], "/compare_range"));
  }
  RETURN_IF_ERROR(ValidateFunnel(query));
  return query;
}

Json FunnelResultJson(const FunnelQuery& query, const FunnelResult& result) {
  Json steps = Json::array();
  for (const EventFilter& step : query.steps) steps.push_back(step.event);
  Json out = FunnelRunJson(result.current);
  out["steps"] = std::move(steps);
  out["window_seconds"] = query.window_seconds;
  out["order"] = query.order == FunnelOrder::kStrict ? "strict" : "any";
  if (result.compare) out["compare"] = FunnelRunJson(*result.compare);
  return out;
}

Result<RetentionQuery> ParseRetentionQuery(const Json& body) {
  if (!body.is_object()) return InvalidArgumentError("expected a JSON object", "");
  ASSIGN_OR_RETURN(const JsonObjectReader reader, JsonObjectReader::Create(body));
  RETURN_IF_ERROR(reader.RejectUnknown({"cohort_by", "start", "return", "interval", "periods",
                                        "unbounded", "range", "group_by", "urr_active_days"}));
  RetentionQuery query;
  ASSIGN_OR_RETURN(const std::optional<std::string> cohort_by,
                   reader.OptionalString("cohort_by", 16));
  if (cohort_by && *cohort_by == "customer_since") {
    query.cohort_by = CohortBy::kCustomerSince;
    if (reader.Has("start")) {
      return InvalidArgumentError("cohorts by customer_since take no start event", "/start");
    }
  } else if (cohort_by && *cohort_by != "first_event") {
    return InvalidArgumentError("expected \"first_event\" or \"customer_since\"", "/cohort_by");
  } else {
    ASSIGN_OR_RETURN(const Json* start, Member(body, "start", ""));
    ASSIGN_OR_RETURN(query.start, internal::ReadFilter(*start, "/start"));
  }
  ASSIGN_OR_RETURN(const Json* back, Member(body, "return", ""));
  ASSIGN_OR_RETURN(query.return_event, internal::ReadFilter(*back, "/return"));
  if (reader.Has("interval")) {
    ASSIGN_OR_RETURN(query.interval, internal::ReadInterval(body["interval"], "/interval"));
  }
  ASSIGN_OR_RETURN(const std::optional<int64_t> periods,
                   reader.OptionalInt("periods", 1, kRetentionPeriodsMax));
  query.periods = periods.value_or(query.periods);
  ASSIGN_OR_RETURN(const std::optional<bool> unbounded, reader.OptionalBool("unbounded"));
  query.unbounded = unbounded.value_or(false);
  RETURN_IF_ERROR(internal::ReadPeriodMembers(body, query.range, nullptr, &query.group_by));
  ASSIGN_OR_RETURN(const std::optional<int64_t> urr, reader.OptionalInt("urr_active_days", 1, 31));
  query.urr_active_days = urr.value_or(kUrrActiveDaysDefault);
  RETURN_IF_ERROR(ValidateRetention(query));
  return query;
}

Json RetentionResultJson(const RetentionQuery& query, const RetentionResult& result) {
  Json groups = Json::array();
  for (const RetentionTable& table : result.groups) {
    Json row = RetentionTableJson(table);
    row["name"] = table.name;
    groups.push_back(std::move(row));
  }
  return {{"interval", IntervalName(query.interval)},
          {"periods", query.periods},
          {"unbounded", query.unbounded},
          {"range", internal::RangeJson(query.range)},
          {"overall", RetentionTableJson(result.overall)},
          {"groups", std::move(groups)}};
}

Result<RetentionSelection> ParseRetentionSelection(const Json& select) {
  if (!select.is_object()) return InvalidArgumentError("expected an object", "/select");
  ASSIGN_OR_RETURN(const JsonObjectReader reader, JsonObjectReader::Create(select, "/select"));
  RETURN_IF_ERROR(reader.RejectUnknown({"group", "cohort", "period"}));
  RetentionSelection selection;
  ASSIGN_OR_RETURN(selection.group, reader.OptionalString("group", internal::kNameLengthMax));
  ASSIGN_OR_RETURN(selection.cohort, reader.String("cohort", 10));
  ASSIGN_OR_RETURN(selection.period, reader.Int("period", 0, kRetentionPeriodsMax));
  return selection;
}

Result<TrendQuery> ParseTrendQuery(const Json& body) {
  if (!body.is_object()) return InvalidArgumentError("expected a JSON object", "");
  ASSIGN_OR_RETURN(const JsonObjectReader reader, JsonObjectReader::Create(body));
  RETURN_IF_ERROR(
      reader.RejectUnknown({"event", "measure", "property", "interval", "range", "group_by"}));
  TrendQuery query;
  ASSIGN_OR_RETURN(const Json* event, Member(body, "event", ""));
  ASSIGN_OR_RETURN(query.event, internal::ReadFilter(*event, "/event"));
  ASSIGN_OR_RETURN(const std::optional<std::string> measure, reader.OptionalString("measure", 16));
  const std::string m = measure.value_or("count");
  if (m == "count") {
    query.measure = TrendMeasure::kCount;
  } else if (m == "uniques") {
    query.measure = TrendMeasure::kUniques;
  } else if (m == "sum") {
    query.measure = TrendMeasure::kSum;
  } else if (m == "average") {
    query.measure = TrendMeasure::kAverage;
  } else {
    return InvalidArgumentError("expected \"count\", \"uniques\", \"sum\" or \"average\"",
                                "/measure");
  }
  ASSIGN_OR_RETURN(const std::optional<std::string> property,
                   reader.OptionalString("property", internal::kNameLengthMax));
  query.property = property.value_or("");
  RETURN_IF_ERROR(internal::ReadPeriodMembers(body, query.range, &query.interval, &query.group_by));
  RETURN_IF_ERROR(ValidateTrend(query));
  return query;
}

namespace {

Json TrendSeriesJson(const TrendSeries& series) {
  std::vector<std::optional<double>> values;
  for (const auto& value : series.values) {
    values.push_back(value ? std::optional<double>(Rounded(*value)) : std::nullopt);
  }
  return {{"values", internal::OptionalArray(values)}, {"total", Rounded(series.total)}};
}

}  // namespace

Json TrendResultJson(const TrendQuery& query, const TrendResult& result) {
  Json groups = Json::array();
  for (const TrendSeries& series : result.groups) {
    Json row = TrendSeriesJson(series);
    row["name"] = series.name;
    groups.push_back(std::move(row));
  }
  static constexpr std::string_view kMeasures[] = {"count", "uniques", "sum", "average"};
  return {{"interval", IntervalName(query.interval)},
          {"measure", kMeasures[static_cast<size_t>(query.measure)]},
          {"periods", result.periods},
          {"overall", TrendSeriesJson(result.overall)},
          {"groups", std::move(groups)}};
}

Result<ActivityQuery> ParseActivityQuery(const Json& body) {
  if (!body.is_object()) return InvalidArgumentError("expected a JSON object", "");
  ASSIGN_OR_RETURN(const JsonObjectReader reader, JsonObjectReader::Create(body));
  RETURN_IF_ERROR(reader.RejectUnknown({"events", "interval", "range", "group_by"}));
  ActivityQuery query;
  if (reader.Has("events")) {
    const Json& events = body["events"];
    if (!events.is_array() || events.size() > kActivityEventsMax) {
      return InvalidArgumentError(
          fmt::format("an array of at most {} event names (kActivityEventsMax)",
                      kActivityEventsMax),
          "/events");
    }
    for (size_t i = 0; i < events.size(); ++i) {
      if (!events[i].is_string() || events[i].get<std::string>().empty()) {
        return InvalidArgumentError("expected an event name", JsonPointer("/events", i));
      }
      query.events.push_back(events[i].get<std::string>());
    }
  }
  RETURN_IF_ERROR(internal::ReadPeriodMembers(body, query.range, &query.interval, &query.group_by));
  RETURN_IF_ERROR(ValidateActivity(query));
  return query;
}

namespace {

Json ActivitySeriesJson(const ActivitySeries& series, bool daily) {
  Json active = Json::array(), fresh = Json::array(), returning = Json::array(),
       resurrected = Json::array(), dormant = Json::array(), wau = Json::array(),
       mau = Json::array(), stickiness = Json::array();
  for (const ActivityPoint& point : series.points) {
    active.push_back(point.active);
    fresh.push_back(point.new_customers);
    returning.push_back(point.returning);
    resurrected.push_back(point.resurrected);
    dormant.push_back(point.dormant);
    if (daily) {
      wau.push_back(*point.wau);
      mau.push_back(*point.mau);
      stickiness.push_back(Rounded(*point.stickiness));
    }
  }
  Json out = {{"active", active},           {"new", fresh},       {"returning", returning},
              {"resurrected", resurrected}, {"dormant", dormant}, {"customers", series.customers}};
  if (daily) {
    out["wau"] = wau;
    out["mau"] = mau;
    out["stickiness"] = stickiness;
  }
  return out;
}

}  // namespace

Json ActivityResultJson(const ActivityQuery& query, const ActivityResult& result) {
  const bool daily = query.interval == Interval::kDay;
  Json periods = Json::array();
  for (const ActivityPoint& point : result.overall.points) periods.push_back(point.period);
  Json groups = Json::array();
  for (const ActivitySeries& series : result.groups) {
    Json row = ActivitySeriesJson(series, daily);
    row["name"] = series.name;
    groups.push_back(std::move(row));
  }
  return {{"interval", IntervalName(query.interval)},
          {"periods", std::move(periods)},
          {"overall", ActivitySeriesJson(result.overall, daily)},
          {"groups", std::move(groups)}};
}

Result<std::optional<FollowersQuery>> ParseFollowersQuery(const Json& body) {
  if (!body.is_object() || !body.contains("followers")) return std::optional<FollowersQuery>();
  ASSIGN_OR_RETURN(const JsonObjectReader reader, JsonObjectReader::Create(body));
  RETURN_IF_ERROR(reader.RejectUnknown({"followers", "range", "group_by"}));
  ASSIGN_OR_RETURN(const JsonObjectReader followers,
                   JsonObjectReader::Create(body["followers"], "/followers"));
  RETURN_IF_ERROR(followers.RejectUnknown({"follow", "unfollow", "channel"}));
  FollowersQuery query;
  ASSIGN_OR_RETURN(const std::optional<std::string> follow,
                   followers.OptionalString("follow", internal::kNameLengthMax));
  ASSIGN_OR_RETURN(const std::optional<std::string> unfollow,
                   followers.OptionalString("unfollow", internal::kNameLengthMax));
  ASSIGN_OR_RETURN(const std::optional<std::string> channel,
                   followers.OptionalString("channel", internal::kNameLengthMax));
  Json filter = {{"event", follow.value_or("subscribe")}, {"channel", channel.value_or("wechat")}};
  ASSIGN_OR_RETURN(query.follow, internal::ReadFilter(filter, "/followers"));
  filter["event"] = unfollow.value_or("unsubscribe");
  ASSIGN_OR_RETURN(query.unfollow, internal::ReadFilter(filter, "/followers"));
  RETURN_IF_ERROR(internal::ReadPeriodMembers(body, query.range, nullptr, &query.group_by));
  RETURN_IF_ERROR(ValidateGroupBy(query.group_by, "/group_by"));
  return std::optional<FollowersQuery>(std::move(query));
}

Result<Json> RunFollowersJson(const QueryContext& context, const FollowersQuery& query) {
  TrendQuery trend;
  trend.measure = TrendMeasure::kUniques;
  trend.interval = Interval::kDay;
  trend.range = query.range;
  trend.group_by = query.group_by;
  trend.event = query.follow;
  ASSIGN_OR_RETURN(const TrendResult gained, RunTrend(context, trend));
  trend.event = query.unfollow;
  ASSIGN_OR_RETURN(const TrendResult lost, RunTrend(context, trend));
  auto series = [](const TrendSeries* in, const TrendSeries* out) {
    Json g = Json::array(), l = Json::array(), net = Json::array();
    const size_t n = in != nullptr ? in->values.size() : out->values.size();
    for (size_t p = 0; p < n; ++p) {
      const int64_t a = in != nullptr ? static_cast<int64_t>(in->values[p].value_or(0)) : 0;
      const int64_t b = out != nullptr ? static_cast<int64_t>(out->values[p].value_or(0)) : 0;
      g.push_back(a);
      l.push_back(-b);
      net.push_back(a - b);
    }
    return Json{{"gained", g}, {"lost", l}, {"net", net}};
  };
  Json groups = Json::array();
  std::vector<std::string> names;
  for (const TrendSeries& s : gained.groups) names.push_back(s.name);
  for (const TrendSeries& s : lost.groups) {
    if (std::find(names.begin(), names.end(), s.name) == names.end()) names.push_back(s.name);
  }
  for (const std::string& name : names) {
    const TrendSeries* in = nullptr;
    const TrendSeries* out = nullptr;
    for (const TrendSeries& s : gained.groups) in = s.name == name ? &s : in;
    for (const TrendSeries& s : lost.groups) out = s.name == name ? &s : out;
    Json row = series(in, out);
    row["name"] = name;
    groups.push_back(std::move(row));
  }
  return Json{{"interval", "day"},
              {"periods", gained.periods},
              {"overall", series(&gained.overall, &lost.overall)},
              {"groups", std::move(groups)}};
}

Result<FunnelSelection> ParseFunnelSelection(const Json& select) {
  if (!select.is_object()) return InvalidArgumentError("expected an object", "/select");
  ASSIGN_OR_RETURN(const JsonObjectReader reader, JsonObjectReader::Create(select, "/select"));
  RETURN_IF_ERROR(reader.RejectUnknown({"group", "step", "kind", "compare_range"}));
  FunnelSelection selection;
  ASSIGN_OR_RETURN(selection.group, reader.OptionalString("group", internal::kNameLengthMax));
  ASSIGN_OR_RETURN(const std::optional<int64_t> step,
                   reader.OptionalInt("step", 1, static_cast<int64_t>(kFunnelStepsMax)));
  selection.step = static_cast<int>(step.value_or(1));
  ASSIGN_OR_RETURN(const std::string kind, reader.String("kind", 16));
  if (kind == "reached") {
    selection.kind = FunnelMembersKind::kReached;
  } else if (kind == "dropped") {
    selection.kind = FunnelMembersKind::kDroppedAt;
  } else if (kind == "converted") {
    selection.kind = FunnelMembersKind::kConverted;
  } else {
    return InvalidArgumentError("expected \"reached\", \"dropped\" or \"converted\"",
                                "/select/kind");
  }
  ASSIGN_OR_RETURN(const std::optional<bool> compare, reader.OptionalBool("compare_range"));
  selection.compare_range = compare.value_or(false);
  return selection;
}

}  // namespace banyan::analytics
