// The data-driven analytics cases: every tests/cases/analytics/*.test file is one test.
//
// Records without "----" are data: the segment test dataset's lines (segment/testing/dataset.h:
// now, customer, event, tag, member) plus
//
//   merge SURVIVOR ABSORBED        OneID merges two customers (events move to the survivor)
//   population all | ID ID ...     who the following questions may count (the caller's scope)
//
// Data accumulates through the file and is fed to an engine (segment/testing/engine_loader.h)
// before each question, in batches as the file groups it — so an event in a later record is a
// late-arriving event when its time is earlier than what the engine already holds.
// A question is a verb and a JSON query (which may run over several lines), its answer after
// "----":
//
//   funnel {...}            one line per row: NAME customers=… median=… p90=… ("-" for none);
//                           "overall" first, then the groups; "compare …" rows for compare_range
//   funnel_json {...}       the whole JSON result, compact
//   retention {...}         per cohort with customers: LABEL customers=… retained=… urr=…,
//                           then "average RATES"; "group NAME " rows likewise
//   retention_json {...}    the whole JSON result, compact
//   trend {...}             "periods L,L,…", then NAME VALUES total=… per row
//   activity {...}          "periods …", then per row active= new= returning= resurrected=
//                           dormant= (and wau= mau= by day); a followers query: its JSON
//   lifecycle {...}         per period "LABEL introduction=… growth=… maturity=… decline=…
//                           none=…", then the changes of stage " FROM->TO=N …" (default rules)
//   aum {...}               "overall ROW", "GROUPING LABEL ROW" per group, "product NAME N SHARE"
//   ltv {...}               "annuity=…", then "overall ROW" and "NAME ROW" per group
//   members {"kind": "funnel" | "retention", ..., "select": {...}}   the selected customers'
//                           ids, or "none"
//
// Errors answer "error: FIELD: MESSAGE". Queries run as of the data's `now`, in Asia/Shanghai.
// BANYAN_REWRITE_CASES=1 rewrites the answers in place for review.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "analytics/funnel.h"
#include "analytics/query_json.h"
#include "analytics/retention.h"
#include "base/testing/case_file.h"
#include "segment/testing/dataset.h"
#include "segment/testing/engine_loader.h"

namespace banyan::analytics {
namespace {

namespace fs = std::filesystem;
using Record = banyan::testing::CaseRecord;

std::string Join(const std::vector<std::string>& lines, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) out += (i > 0 ? std::string(separator) : "") + lines[i];
  return out;
}

std::vector<std::string> Words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> words;
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

std::string ErrorLine(const Status& status) {
  return "error: " + (status.field().empty() ? "" : status.field() + ": ") + status.message();
}

std::string Series(const std::vector<std::optional<int64_t>>& values) {
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) {
    out += (i > 0 ? "," : "") + (values[i] ? std::to_string(*values[i]) : std::string("-"));
  }
  return out;
}

void FunnelRows(const std::string& prefix, const FunnelRun& run, std::vector<std::string>* out) {
  auto row = [&](const std::string& name, const FunnelGroup& group) {
    std::vector<std::optional<int64_t>> customers, median, p90;
    for (const FunnelStep& step : group.steps) {
      customers.push_back(step.customers);
      median.push_back(step.median_seconds);
      p90.push_back(step.p90_seconds);
    }
    out->push_back(prefix + name + " customers=" + Series(customers) + " median=" + Series(median) +
                   " p90=" + Series(p90));
  };
  row("overall", run.overall);
  for (const FunnelGroup& group : run.groups) row("group " + group.name, group);
}

std::string Rate(std::optional<double> rate) {
  return rate ? fmt::format("{:.4g}", *rate) : std::string("-");
}

void RetentionRows(const std::string& prefix, const RetentionTable& table,
                   std::vector<std::string>* out) {
  for (const RetentionCohort& cohort : table.cohorts) {
    if (cohort.customers == 0) continue;
    out->push_back(prefix + cohort.label + " customers=" + std::to_string(cohort.customers) +
                   " retained=" + Series(cohort.retained) + " urr=" + Rate(cohort.urr));
  }
  std::string average;
  for (size_t n = 0; n < table.average_rates.size(); ++n) {
    average += (n > 0 ? "," : "") + Rate(table.average_rates[n]);
  }
  out->push_back(prefix + "average " + average);
}

class CaseRun {
 public:
  CaseRun() : catalog_(segment::testing::BuiltinTestCatalog()) {}

  Status AddData(const Record& record) {
    for (const std::string& line : record.lines) {
      if (line[0] == '#') continue;  // a comment inside the data
      const std::vector<std::string> words = Words(line);
      if (!words.empty() && words[0] == "merge" && words.size() == 3) {
        RETURN_IF_ERROR(loader_.Sync(data_, catalog_));
        RETURN_IF_ERROR(loader_.Merge(data_, std::stoll(words[1]), std::stoll(words[2])));
      } else if (!words.empty() && words[0] == "population") {
        population_.clear();
        all_ = words.size() == 2 && words[1] == "all";
        for (size_t i = 1; i < words.size() && !all_; ++i) {
          population_.push_back(std::stoll(words[i]));
        }
      } else {
        RETURN_IF_ERROR(segment::testing::ApplyLine(line, data_, catalog_));
      }
    }
    return Status::Ok();
  }

  std::vector<std::string> Answer(const Record& record) {
    std::vector<std::string> lines = record.lines;
    const size_t space = lines[0].find(' ');
    const std::string verb = lines[0].substr(0, space);
    lines[0] = space == std::string::npos ? "" : lines[0].substr(space + 1);
    Result<Json> body = ParseJson(Join(lines, "\n"));
    if (!body.ok()) return {ErrorLine(body.status())};
    const Status synced = loader_.Sync(data_, catalog_);
    if (!synced.ok()) return {ErrorLine(synced)};
    snapshot_ = loader_.engine().snapshot();
    Result<QueryContext> context = Context();
    if (!context.ok()) return {ErrorLine(context.status())};
    if (verb == "funnel" || verb == "funnel_json") return Funnel(*body, *context, verb);
    if (verb == "members") return Members(*body, *context);
    if (verb == "retention" || verb == "retention_json") return Retention(*body, *context, verb);
    if (verb == "trend") return Trend(*body, *context);
    if (verb == "activity") return Activity(*body, *context);
    if (verb == "lifecycle") return Lifecycle(*body, *context);
    if (verb == "aum") return Aum(*body, *context);
    if (verb == "ltv") return Ltv(*body, *context);
    return {"unknown question: " + verb};
  }

 private:
  Result<QueryContext> Context() {
    static const BusinessCalendar calendar = *BusinessCalendar::Create("Asia/Shanghai");
    QueryContext context;
    context.snapshot = snapshot_.get();
    context.calendar = &calendar;
    context.now = data_.now;
    context.tags = &loader_;
    if (all_) {
      context.population = snapshot_->live();
    } else {
      for (const int64_t id : population_) {
        const std::optional<engine::CustomerIndex> index = loader_.Find(id);
        if (index) context.population.Add(*index);
      }
    }
    return context;
  }

  // The context with its scans split over three threads whatever the data's size.
  static QueryContext Sliced(const QueryContext& context) {
    QueryContext sliced = context;
    sliced.threads = 3;
    sliced.slice_customers_min = 1;
    return sliced;
  }
  // The context without the engine's property-value index: every answer must be the same.
  static QueryContext Unindexed(const QueryContext& context) {
    QueryContext unindexed = context;
    unindexed.property_index = false;
    return unindexed;
  }

  std::vector<std::string> Funnel(Json body, const QueryContext& context, const std::string& verb) {
    Result<QueryEnvelope> envelope = TakeEnvelope(body);
    if (!envelope.ok()) return {ErrorLine(envelope.status())};
    Result<FunnelQuery> query = ParseFunnelQuery(body);
    if (!query.ok()) return {ErrorLine(query.status())};
    Result<FunnelResult> result = RunFunnel(context, *query);
    if (!result.ok()) return {ErrorLine(result.status())};
    // Split over threads, even this little data, the answer must be the same.
    Result<FunnelResult> sliced = RunFunnel(Sliced(context), *query);
    if (!sliced.ok()) return {"sliced: " + ErrorLine(sliced.status())};
    const std::string json = FunnelResultJson(*query, *result).dump();
    if (FunnelResultJson(*query, *sliced).dump() != json) {
      return {"sliced run differs: " + FunnelResultJson(*query, *sliced).dump()};
    }
    Result<FunnelResult> unindexed = RunFunnel(Unindexed(context), *query);
    if (!unindexed.ok()) return {"unindexed: " + ErrorLine(unindexed.status())};
    if (FunnelResultJson(*query, *unindexed).dump() != json) {
      return {"unindexed run differs: " + FunnelResultJson(*query, *unindexed).dump()};
    }
    if (verb == "funnel_json") return {json};
    std::vector<std::string> out;
    FunnelRows("", result->current, &out);
    if (result->compare) FunnelRows("compare ", *result->compare, &out);
    return out;
  }

  // Per period: "LABEL introduction=… growth=… maturity=… decline=… none=…", then its flows
  // "  FROM->TO=N" (stages changed only).
  std::vector<std::string> Lifecycle(const Json& body, const QueryContext& context) {
    Result<LifecycleQuery> query = ParseLifecycleQuery(body, segment::LifecycleRules());
    if (!query.ok()) return {ErrorLine(query.status())};
    Result<LifecycleResult> result = RunLifecycle(context, *query);
    if (!result.ok()) return {ErrorLine(result.status())};
    std::vector<std::string> out;
    for (const LifecyclePeriod& period : result->periods) {
      std::string line = period.period;
      std::string flows;
      for (size_t s = 0; s < kLifecycleStagesWithNone; ++s) {
        const auto stage = static_cast<segment::LifecycleStage>(s);
        line += fmt::format(" {}={}", segment::LifecycleStageName(stage), period.customers[s]);
        for (size_t to = 0; to < kLifecycleStagesWithNone; ++to) {
          if (to == s || period.flows[s][to] == 0) continue;
          flows +=
              fmt::format(" {}->{}={}", segment::LifecycleStageName(stage),
                          segment::LifecycleStageName(static_cast<segment::LifecycleStage>(to)),
                          period.flows[s][to]);
        }
      }
      out.push_back(line);
      if (!flows.empty()) out.push_back(" " + flows);
    }
    return out;
  }

  // "overall ROW", then "GROUPING NAME ROW" per group, then "product NAME CUSTOMERS SHARE";
  // ROW is "customers=… holders=… total=… average=…" (the loader holds decimals in millionths).
  std::vector<std::string> Aum(const Json& body, const QueryContext& context) {
    Result<AumQuery> query = ParseAumQuery(body, {"mass", "gold", "wealth", "private"},
                                           {"大众", "金卡", "金葵花", "私人银行"});
    if (!query.ok()) return {ErrorLine(query.status())};
    query->aum_scale = 6;
    Result<AumResult> result = RunAum(context, *query);
    if (!result.ok()) return {ErrorLine(result.status())};
    auto row = [&](const AumRow& r) {
      return fmt::format("customers={} holders={} total={} average={}", r.customers, r.holders,
                         FormatFixed(r.total, 6),
                         r.holders > 0 ? FormatFixed(r.total / r.holders, 6) : "-");
    };
    std::vector<std::string> out = {"overall " + row(result->overall)};
    for (size_t g = 0; g < result->groupings.size(); ++g) {
      for (const AumRow& r : result->groupings[g]) {
        out.push_back(fmt::format("{} {} {}", query->groupings[g].name, r.label, row(r)));
      }
    }
    for (const ProductShare& p : result->products) {
      out.push_back(fmt::format("product {} {} {:.2f}", p.product, p.customers, p.share));
    }
    return out;
  }

  std::vector<std::string> Ltv(const Json& body, const QueryContext& context) {
    Result<LtvQuery> query = ParseLtvQuery(body);
    if (!query.ok()) return {ErrorLine(query.status())};
    query->holding_scale = 6;
    Result<LtvResult> result = RunLtv(context, *query);
    if (!result.ok()) return {ErrorLine(result.status())};
    auto row = [](const LtvRow& r) {
      return fmt::format("customers={} average={:.2f} median={:.2f} p90={:.2f} total={:.2f}",
                         r.customers, r.average, r.median, r.p90, r.total);
    };
    std::vector<std::string> out = {fmt::format("annuity={:.6f}", result->annuity),
                                    "overall " + row(result->overall)};
    for (const LtvRow& r : result->groups) out.push_back(r.name + " " + row(r));
    return out;
  }

  std::vector<std::string> Retention(Json body, const QueryContext& context,
                                     const std::string& verb) {
    Result<QueryEnvelope> envelope = TakeEnvelope(body);
    if (!envelope.ok()) return {ErrorLine(envelope.status())};
    Result<RetentionQuery> query = ParseRetentionQuery(body);
    if (!query.ok()) return {ErrorLine(query.status())};
    Result<RetentionResult> result = RunRetention(context, *query);
    if (!result.ok()) return {ErrorLine(result.status())};
    Result<RetentionResult> sliced = RunRetention(Sliced(context), *query);
    if (!sliced.ok()) return {"sliced: " + ErrorLine(sliced.status())};
    const std::string json = RetentionResultJson(*query, *result).dump();
    if (RetentionResultJson(*query, *sliced).dump() != json) {
      return {"sliced run differs: " + RetentionResultJson(*query, *sliced).dump()};
    }
    Result<RetentionResult> unindexed = RunRetention(Unindexed(context), *query);
    if (!unindexed.ok()) return {"unindexed: " + ErrorLine(unindexed.status())};
    if (RetentionResultJson(*query, *unindexed).dump() != json) {
      return {"unindexed run differs: " + RetentionResultJson(*query, *unindexed).dump()};
    }
    if (verb == "retention_json") return {json};
    std::vector<std::string> out;
    RetentionRows("", result->overall, &out);
    for (const RetentionTable& table : result->groups) {
      RetentionRows("group " + table.name + " ", table, &out);
    }
    return out;
  }

  std::vector<std::string> Trend(Json body, const QueryContext& context) {
    Result<QueryEnvelope> envelope = TakeEnvelope(body);
    if (!envelope.ok()) return {ErrorLine(envelope.status())};
    Result<TrendQuery> query = ParseTrendQuery(body);
    if (!query.ok()) return {ErrorLine(query.status())};
    Result<TrendResult> result = RunTrend(context, *query);
    if (!result.ok()) return {ErrorLine(result.status())};
    Result<TrendResult> unindexed = RunTrend(Unindexed(context), *query);
    if (!unindexed.ok()) return {"unindexed: " + ErrorLine(unindexed.status())};
    if (TrendResultJson(*query, *unindexed).dump() != TrendResultJson(*query, *result).dump()) {
      return {"unindexed run differs: " + TrendResultJson(*query, *unindexed).dump()};
    }
    std::vector<std::string> out{"periods " + Join(result->periods, ",")};
    auto row = [&](const std::string& name, const TrendSeries& series) {
      std::string values;
      for (size_t p = 0; p < series.values.size(); ++p) {
        values += (p > 0 ? "," : "") + Rate(series.values[p]);
      }
      out.push_back(name + " " + values + " total=" + Rate(series.total));
    };
    row("overall", result->overall);
    for (const TrendSeries& series : result->groups) row("group " + series.name, series);
    return out;
  }

  std::vector<std::string> Activity(Json body, const QueryContext& context) {
    Result<QueryEnvelope> envelope = TakeEnvelope(body);
    if (!envelope.ok()) return {ErrorLine(envelope.status())};
    Result<std::optional<FollowersQuery>> followers = ParseFollowersQuery(body);
    if (!followers.ok()) return {ErrorLine(followers.status())};
    if (*followers) {
      Result<Json> result = RunFollowersJson(context, **followers);
      if (!result.ok()) return {ErrorLine(result.status())};
      return {result->dump()};
    }
    Result<ActivityQuery> query = ParseActivityQuery(body);
    if (!query.ok()) return {ErrorLine(query.status())};
    Result<ActivityResult> result = RunActivity(context, *query);
    if (!result.ok()) return {ErrorLine(result.status())};
    std::vector<std::string> periods;
    for (const ActivityPoint& point : result->overall.points) periods.push_back(point.period);
    std::vector<std::string> out{"periods " + Join(periods, ",")};
    auto row = [&](const std::string& name, const ActivitySeries& series) {
      std::vector<std::optional<int64_t>> active, fresh, returning, resurrected, dormant, wau, mau;
      for (const ActivityPoint& point : series.points) {
        active.push_back(point.active);
        fresh.push_back(point.new_customers);
        returning.push_back(point.returning);
        resurrected.push_back(point.resurrected);
        dormant.push_back(point.dormant);
        wau.push_back(point.wau);
        mau.push_back(point.mau);
      }
      out.push_back(name + " active=" + Series(active) + " new=" + Series(fresh) +
                    " returning=" + Series(returning) + " resurrected=" + Series(resurrected) +
                    " dormant=" + Series(dormant) +
                    (query->interval == Interval::kDay
                         ? " wau=" + Series(wau) + " mau=" + Series(mau)
                         : std::string()));
    };
    row("overall", result->overall);
    for (const ActivitySeries& series : result->groups) row("group " + series.name, series);
    return out;
  }

  std::vector<std::string> Members(Json body, const QueryContext& context) {
    const std::string kind = body.value("kind", "");
    body.erase("kind");
    Result<QueryEnvelope> envelope = TakeEnvelope(body);
    if (!envelope.ok()) return {ErrorLine(envelope.status())};
    if (!envelope->select) return {"error: no select"};
    Result<engine::Bitmap> members = engine::Bitmap();
    if (kind == "funnel") {
      Result<FunnelQuery> query = ParseFunnelQuery(body);
      if (!query.ok()) return {ErrorLine(query.status())};
      Result<FunnelSelection> selection = ParseFunnelSelection(*envelope->select);
      if (!selection.ok()) return {ErrorLine(selection.status())};
      members = FunnelMembers(context, *query, *selection);
      const Result<engine::Bitmap> sliced = FunnelMembers(Sliced(context), *query, *selection);
      if (members.ok() != sliced.ok() || (members.ok() && !(*members == *sliced))) {
        return {"sliced run differs"};
      }
      const Result<engine::Bitmap> unindexed =
          FunnelMembers(Unindexed(context), *query, *selection);
      if (members.ok() != unindexed.ok() || (members.ok() && !(*members == *unindexed))) {
        return {"unindexed run differs"};
      }
    } else if (kind == "retention") {
      Result<RetentionQuery> query = ParseRetentionQuery(body);
      if (!query.ok()) return {ErrorLine(query.status())};
      Result<RetentionSelection> selection = ParseRetentionSelection(*envelope->select);
      if (!selection.ok()) return {ErrorLine(selection.status())};
      members = RetentionMembers(context, *query, *selection);
      const Result<engine::Bitmap> unindexed =
          RetentionMembers(Unindexed(context), *query, *selection);
      if (members.ok() != unindexed.ok() || (members.ok() && !(*members == *unindexed))) {
        return {"unindexed run differs"};
      }
    } else {
      return {"unknown kind: " + kind};
    }
    if (!members.ok()) return {ErrorLine(members.status())};
    const std::vector<int64_t> ids = loader_.Ids(*members, *snapshot_);
    if (ids.empty()) return {"none"};
    std::string out;
    for (const int64_t id : ids) out += (out.empty() ? "" : " ") + std::to_string(id);
    return {out};
  }

  segment::testing::Dataset data_;
  segment::Catalog catalog_;
  segment::testing::EngineLoader loader_;
  std::shared_ptr<const engine::Snapshot> snapshot_;
  bool all_ = true;
  std::vector<int64_t> population_;
};

class AnalyticsCases : public ::testing::TestWithParam<std::string> {};

TEST_P(AnalyticsCases, GiveTheExpectedAnswers) {
  CaseRun run;
  banyan::testing::CheckCaseFile(fs::path(BANYAN_ANALYTICS_CASES_DIR) / GetParam(), run);
}

INSTANTIATE_TEST_SUITE_P(
    Files, AnalyticsCases,
    ::testing::ValuesIn(banyan::testing::ListCaseFiles(BANYAN_ANALYTICS_CASES_DIR)),
    [](const ::testing::TestParamInfo<std::string>& info) {
      return banyan::testing::CaseTestName(info.param);
    });

}  // namespace
}  // namespace banyan::analytics
