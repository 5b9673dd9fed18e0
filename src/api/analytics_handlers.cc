#include "api/analytics_handlers.h"

#include <fmt/format.h>

#include <memory>

#include "analytics/aum_series.h"
#include "analytics/query_json.h"
#include "analytics/result_cache.h"
#include "api/call.h"
#include "api/guard.h"
#include "api/problem.h"
#include "customer/customer_service.h"
#include "segment/ast.h"
#include "segment/engine_eval.h"
#include "segment/segment_service.h"

namespace banyan::api {
namespace {

enum class Kind { kFunnel, kRetention, kActivity, kTrend, kLifecycle, kAum, kLtv };

struct AnalyticsRoute {
  std::string_view path;
  Kind kind;
};

constexpr AnalyticsRoute kRoutes[] = {
    {"/api/v1/analytics/funnel", Kind::kFunnel},
    {"/api/v1/analytics/retention", Kind::kRetention},
    {"/api/v1/analytics/activity", Kind::kActivity},
    {"/api/v1/analytics/trend", Kind::kTrend},
    {"/api/v1/analytics/lifecycle", Kind::kLifecycle},
    {"/api/v1/analytics/aum", Kind::kAum},
    {"/api/v1/analytics/ltv", Kind::kLtv},
};

// "Save as segment": the query, its "select" cell, and the new segment's "name" and
// "description"; needs segments:write besides analytics:read.
constexpr AnalyticsRoute kSaveRoutes[] = {
    {"/api/v1/analytics/funnel/segments", Kind::kFunnel},
    {"/api/v1/analytics/retention/segments", Kind::kRetention},
};

// The customers of a selected cell: the count, and their OneIDs up to kAnalyticsMembersMax.
Json MembersJson(const engine::Bitmap& members, const engine::Snapshot& snapshot) {
  Json ids = Json::array();
  members.ForEach([&](uint32_t index) {
    if (ids.size() >= kAnalyticsMembersMax) return false;
    if (const auto person = snapshot.Person(index)) ids.push_back(*person);
    return true;
  });
  const uint64_t count = members.Cardinality();
  return {{"count", count}, {"one_ids", std::move(ids)}, {"truncated", count > ids.size()}};
}

// The customers of the cell `select` names, with a description of where they come from (the
// origin a saved segment keeps).
struct Selected {
  engine::Bitmap members;
  std::string origin;
};

std::string Joined(const std::vector<analytics::EventFilter>& steps) {
  std::string out;
  for (const analytics::EventFilter& step : steps) {
    if (!out.empty()) out += " → ";
    out += step.event;
  }
  return out;
}

Result<Selected> Select(Kind kind, const Json& body, const Json& select,
                        const analytics::QueryContext& context) {
  if (kind == Kind::kFunnel) {
    ASSIGN_OR_RETURN(const analytics::FunnelQuery query, analytics::ParseFunnelQuery(body));
    ASSIGN_OR_RETURN(const analytics::FunnelSelection selection,
                     analytics::ParseFunnelSelection(select));
    ASSIGN_OR_RETURN(engine::Bitmap members, analytics::FunnelMembers(context, query, selection));
    static constexpr std::string_view kKinds[] = {"reached", "dropped at", "converted at"};
    const analytics::DateRange& range =
        selection.compare_range && query.compare_range ? *query.compare_range : query.range;
    std::string origin = fmt::format(
        "analytics funnel {} {}..{}: {} step {}", Joined(query.steps), FormatDate(range.from),
        FormatDate(range.to), kKinds[static_cast<size_t>(selection.kind)],
        selection.kind == analytics::FunnelMembersKind::kConverted ? query.steps.size()
                                                                   : selection.step);
    if (selection.group) origin += fmt::format(", group {}", *selection.group);
    return Selected{std::move(members), std::move(origin)};
  }
  if (kind == Kind::kRetention) {
    ASSIGN_OR_RETURN(const analytics::RetentionQuery query, analytics::ParseRetentionQuery(body));
    ASSIGN_OR_RETURN(const analytics::RetentionSelection selection,
                     analytics::ParseRetentionSelection(select));
    ASSIGN_OR_RETURN(engine::Bitmap members,
                     analytics::RetentionMembers(context, query, selection));
    std::string origin =
        fmt::format("analytics retention {} → {}: cohort {} period {}{}",
                    query.cohort_by == analytics::CohortBy::kCustomerSince ? "customer_since"
                                                                           : query.start.event,
                    query.return_event.event, selection.cohort, selection.period,
                    query.unbounded ? " (unbounded)" : "");
    if (selection.group) origin += fmt::format(", group {}", *selection.group);
    return Selected{std::move(members), std::move(origin)};
  }
  return InvalidArgumentError("only funnel and retention cells can be selected", "/select");
}

// The lifecycle tag's configured rules (the defaults when there is no segment service).
Result<segment::LifecycleRules> LifecycleRules(const ApiDeps& deps) {
  if (deps.segments == nullptr) return segment::LifecycleRules();
  ASSIGN_OR_RETURN(const std::vector<segment::TagDef> tags, deps.segments->ListTags());
  for (const segment::TagDef& tag : tags) {
    if (tag.kind == segment::TagKind::kLifecycle) return tag.lifecycle;
  }
  return segment::LifecycleRules();
}

// The aum_tier tag's bucket values and labels, in order (none without a segment service).
Status TierBuckets(const ApiDeps& deps, std::vector<std::string>* values,
                   std::vector<std::string>* labels) {
  if (deps.segments == nullptr) return Status::Ok();
  ASSIGN_OR_RETURN(const std::vector<segment::TagDef> tags, deps.segments->ListTags());
  for (const segment::TagDef& tag : tags) {
    if (tag.name != "aum_tier") continue;
    for (const segment::Bucket& bucket : tag.buckets) {
      values->push_back(bucket.value);
      labels->push_back(bucket.label);
    }
  }
  return Status::Ok();
}

Result<Json> Run(Kind kind, const Json& body, const analytics::QueryEnvelope& envelope,
                 const analytics::QueryContext& context, const ApiDeps& deps) {
  if (envelope.select) {
    ASSIGN_OR_RETURN(const Selected selected, Select(kind, body, *envelope.select, context));
    return MembersJson(selected.members, *context.snapshot);
  }
  switch (kind) {
    case Kind::kFunnel: {
      ASSIGN_OR_RETURN(const analytics::FunnelQuery query, analytics::ParseFunnelQuery(body));
      ASSIGN_OR_RETURN(const analytics::FunnelResult result, analytics::RunFunnel(context, query));
      return analytics::FunnelResultJson(query, result);
    }
    case Kind::kRetention: {
      ASSIGN_OR_RETURN(const analytics::RetentionQuery query, analytics::ParseRetentionQuery(body));
      ASSIGN_OR_RETURN(const analytics::RetentionResult result,
                       analytics::RunRetention(context, query));
      return analytics::RetentionResultJson(query, result);
    }
    case Kind::kActivity: {
      ASSIGN_OR_RETURN(const std::optional<analytics::FollowersQuery> followers,
                       analytics::ParseFollowersQuery(body));
      if (followers) return analytics::RunFollowersJson(context, *followers);
      ASSIGN_OR_RETURN(const analytics::ActivityQuery query, analytics::ParseActivityQuery(body));
      ASSIGN_OR_RETURN(const analytics::ActivityResult result,
                       analytics::RunActivity(context, query));
      return analytics::ActivityResultJson(query, result);
    }
    case Kind::kTrend: {
      ASSIGN_OR_RETURN(const analytics::TrendQuery query, analytics::ParseTrendQuery(body));
      ASSIGN_OR_RETURN(const analytics::TrendResult result, analytics::RunTrend(context, query));
      return analytics::TrendResultJson(query, result);
    }
    case Kind::kLifecycle: {
      ASSIGN_OR_RETURN(const segment::LifecycleRules rules, LifecycleRules(deps));
      ASSIGN_OR_RETURN(const analytics::LifecycleQuery query,
                       analytics::ParseLifecycleQuery(body, rules));
      ASSIGN_OR_RETURN(const analytics::LifecycleResult result,
                       analytics::RunLifecycle(context, query));
      return analytics::LifecycleResultJson(query, result);
    }
    case Kind::kAum: {
      std::vector<std::string> values, labels;
      RETURN_IF_ERROR(TierBuckets(deps, &values, &labels));
      ASSIGN_OR_RETURN(const analytics::AumQuery query,
                       analytics::ParseAumQuery(body, values, labels));
      ASSIGN_OR_RETURN(const analytics::AumResult result, analytics::RunAum(context, query));
      return analytics::AumResultJson(query, result);
    }
    case Kind::kLtv: {
      ASSIGN_OR_RETURN(const analytics::LtvQuery query, analytics::ParseLtvQuery(body));
      ASSIGN_OR_RETURN(const analytics::LtvResult result, analytics::RunLtv(context, query));
      return analytics::LtvResultJson(query, result);
    }
  }
  return InternalError("unknown analytics kind");
}

// Who the query may count: the caller's scope, ANDed with the segment when there is one. Tags
// and saved segments in the expression are answered by the segment service's resolver.
Result<engine::Bitmap> Population(customer::CustomerService& customers, Call& call,
                                  const engine::Snapshot& snapshot,
                                  const analytics::QueryEnvelope& envelope, Timestamp now,
                                  const segment::MembershipResolver* memberships) {
  ASSIGN_OR_RETURN(engine::Bitmap population, customers.VisibleCustomers(call.principal, snapshot));
  if (!envelope.segment) return population;
  Result<segment::Expr> expr = segment::Parse(*envelope.segment);
  if (!expr.ok()) return InvalidArgumentError(expr.status().message(), "/segment");
  segment::EvalContext eval;
  eval.now = now;
  eval.calendar = &customers.calendar();
  eval.memberships = memberships;
  eval.decimal_scales = {{"aum", 2},
                         {"deposit_balance", 2},
                         {"loan_balance", 2},
                         {"credit_card_balance", 2},
                         {"wealth_balance", 2}};
  Result<engine::Bitmap> members = segment::Evaluate(*expr, snapshot, eval);
  if (!members.ok()) {
    return Status(members.status().code(), members.status().message(), "/segment");
  }
  population &= *members;
  return population;
}

// One query's surroundings: the snapshot, the resolver and the context it runs in.
struct Prepared {
  std::shared_ptr<const engine::Snapshot> snapshot;
  std::unique_ptr<segment::MembershipResolver> resolver;
  analytics::QueryContext context;
};

Result<std::unique_ptr<Prepared>> Prepare(Call& call, const analytics::QueryEnvelope& envelope,
                                          std::shared_ptr<const engine::Snapshot> snapshot,
                                          Timestamp now) {
  customer::CustomerService& customers = *call.deps.customers;
  auto prepared = std::make_unique<Prepared>();
  prepared->snapshot = std::move(snapshot);
  if (call.deps.segments != nullptr) prepared->resolver = call.deps.segments->NewResolver(now);
  ASSIGN_OR_RETURN(engine::Bitmap population, Population(customers, call, *prepared->snapshot,
                                                         envelope, now, prepared->resolver.get()));
  analytics::QueryContext& context = prepared->context;
  context.snapshot = prepared->snapshot.get();
  context.population = std::move(population);
  context.calendar = &customers.calendar();
  context.now = now;
  context.tags = prepared->resolver.get();
  context.deadline = analytics::Deadline(call.deps.clock, envelope.time_limit_ms);
  context.threads = analytics::DefaultQueryThreads();
  return prepared;
}

Status RequireEngine(const ApiDeps& deps) {
  if (deps.customers == nullptr || !deps.customers->has_engine()) {
    return UnavailableError("the analytic engine is not running");
  }
  return Status::Ok();
}

Result<http::Response> Analytics(Call& call, Kind kind, analytics::ResultCache& cache) {
  RETURN_IF_ERROR(RequireEngine(call.deps));
  ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request));
  const std::string text = body.dump();
  ASSIGN_OR_RETURN(const analytics::QueryEnvelope envelope, analytics::TakeEnvelope(body));
  std::shared_ptr<const engine::Snapshot> snapshot = call.deps.customers->engine().snapshot();
  const Timestamp now = call.deps.clock->Now();
  const std::string key = fmt::format("{}\n{}:{}\n{}\n{}\n{}", static_cast<int>(kind),
                                      static_cast<int>(call.principal.kind), call.principal.id,
                                      snapshot->version(), ToUnixSeconds(now) / 60, text);
  // Tags and saved segments change without a new engine version (a static segment saved a
  // moment ago, an imported tag): answers that read them are not cached.
  const bool by_tag = body.contains("group_by") && body["group_by"].is_object() &&
                      body["group_by"].contains("kind") && body["group_by"]["kind"] == "tag";
  const bool cacheable = !envelope.segment && !by_tag && kind != Kind::kAum;
  if (const auto hit = cacheable ? cache.Find(key) : nullptr) {
    return http::Response::Json(200, *hit);
  }
  const uint64_t version = snapshot->version();
  ASSIGN_OR_RETURN(const std::unique_ptr<Prepared> prepared,
                   Prepare(call, envelope, std::move(snapshot), now));
  ASSIGN_OR_RETURN(Json result, Run(kind, body, envelope, prepared->context, call.deps));
  result["data_version"] = version;
  std::string out = result.dump();
  if (cacheable) cache.Put(key, out);
  return http::Response::Json(200, std::move(out));
}

// POST .../segments: the selected cell's customers (within the caller's scope) saved as a
// static segment; 201 with the segment.
Result<http::Response> SaveAsSegment(Call& call, Kind kind) {
  RETURN_IF_ERROR(RequireEngine(call.deps));
  if (call.deps.segments == nullptr) return UnavailableError("segments are not available");
  if (!call.principal.Can(auth::Permission::kSegmentsWrite)) {
    return PermissionDeniedError("saving a segment needs segments:write");
  }
  ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request));
  ASSIGN_OR_RETURN(const JsonObjectReader reader, JsonObjectReader::Create(body));
  ASSIGN_OR_RETURN(std::string name, reader.String("name", segment::kSegmentNameBytesMax));
  ASSIGN_OR_RETURN(const std::optional<std::string> description,
                   reader.OptionalString("description", segment::kSegmentDescriptionBytesMax));
  body.erase("name");
  body.erase("description");
  ASSIGN_OR_RETURN(const analytics::QueryEnvelope envelope, analytics::TakeEnvelope(body));
  if (!envelope.select) return InvalidArgumentError("the cell to save is required", "/select");
  const Timestamp now = call.deps.clock->Now();
  ASSIGN_OR_RETURN(const std::unique_ptr<Prepared> prepared,
                   Prepare(call, envelope, call.deps.customers->engine().snapshot(), now));
  ASSIGN_OR_RETURN(const Selected selected,
                   Select(kind, body, *envelope.select, prepared->context));
  std::vector<int64_t> one_ids;
  one_ids.reserve(selected.members.Cardinality());
  selected.members.ForEach([&](uint32_t index) {
    if (const auto person = prepared->snapshot->Person(index)) one_ids.push_back(*person);
    return true;
  });
  ASSIGN_OR_RETURN(const segment::SegmentDef saved,
                   call.deps.segments->CreateStaticSegment(call.principal, std::move(name),
                                                           description.value_or(""),
                                                           selected.origin, one_ids, call.audit));
  return JsonResponse(201, {{"id", saved.id},
                            {"name", saved.name},
                            {"description", saved.description},
                            {"kind", segment::SegmentKindName(saved.kind)},
                            {"expression", saved.expression},
                            {"members", one_ids.size()},
                            {"data_version", prepared->snapshot->version()},
                            {"created_at", FormatRfc3339(saved.created_at)}});
}

// The aum_tier tag's buckets with their bounds, in order (none without a segment service).
Result<std::vector<analytics::AumTierBucket>> TierBounds(const ApiDeps& deps) {
  std::vector<analytics::AumTierBucket> out;
  if (deps.segments == nullptr) return out;
  ASSIGN_OR_RETURN(const std::vector<segment::TagDef> tags, deps.segments->ListTags());
  for (const segment::TagDef& tag : tags) {
    if (tag.name != "aum_tier") continue;
    for (const segment::Bucket& bucket : tag.buckets) {
      out.push_back({bucket.value, bucket.label, bucket.min, bucket.max});
    }
  }
  return out;
}

// POST /api/v1/analytics/aum/series: AUM over time from the bank-wide daily balance sums, in
// the caller's scope (not the engine: the sums are kept as balance snapshots are imported).
Result<http::Response> AumSeries(Call& call) {
  if (call.deps.customers == nullptr) return UnavailableError("customers are not available");
  ASSIGN_OR_RETURN(const Json body, ParseJsonBody(call.request));
  if (body.is_object() && body.contains("segment")) {
    return InvalidArgumentError(
        "AUM over time is kept per branch, manager and band, not per customer, so it cannot be "
        "restricted to a segment (/api/v1/analytics/aum gives a segment's AUM now)",
        "/segment");
  }
  ASSIGN_OR_RETURN(const analytics::AumSeriesQuery query, analytics::ParseAumSeriesQuery(body));
  ASSIGN_OR_RETURN(customer::CustomerService::AumDailyCells read,
                   call.deps.customers->AumDaily(
                       call.principal, analytics::AumSeriesFirstDay(query), query.range.to));
  analytics::AumSeriesInput input;
  input.cells = std::move(read.cells);
  if (query.split == analytics::AumSplit::kTier) {
    ASSIGN_OR_RETURN(input.tiers, TierBounds(call.deps));
  }
  input.names = query.split == analytics::AumSplit::kBranch ? std::move(read.branches)
                                                            : std::move(read.managers);
  ASSIGN_OR_RETURN(const analytics::AumSeriesResult result, analytics::RunAumSeries(query, input));
  return JsonResponse(200, analytics::AumSeriesResultJson(query, result));
}

constexpr std::string_view kAumSeriesPath = "/api/v1/analytics/aum/series";

using Handler = std::function<Result<http::Response>(Call&)>;

// Admits the caller (analytics:read) and runs `handler` on the slow pool when there is one:
// queries scan the engine for up to their time limit, off the HTTP threads.
void AddRoute(http::Router& router, ApiDeps& deps, std::string_view path, Handler handler) {
  auto serve = [&deps, handler = std::move(handler)](http::Request& request) {
    auto principal = Admit(request, deps, Access::kPermission, auth::Permission::kAnalyticsRead);
    if (!principal.ok()) return ErrorResponse(principal.status(), request.request_id);
    Call call{request, *principal, {request.request_id, request.remote_address}, deps};
    Result<http::Response> response = handler(call);
    if (!response.ok()) return ErrorResponse(response.status(), request.request_id);
    return std::move(response).value();
  };
  if (deps.slow_pool == nullptr) {
    router.Add(http::Method::kPost, path, serve);
    return;
  }
  router.AddAsync(
      http::Method::kPost, path, [&deps, serve](http::Request& request, http::Responder respond) {
        auto owned = std::make_shared<http::Request>(std::move(request));
        Status queued = deps.slow_pool->Submit([serve, owned, respond] { respond(serve(*owned)); });
        if (!queued.ok()) respond(ErrorResponse(queued, owned->request_id));
      });
}

}  // namespace

void RegisterAnalyticsRoutes(http::Router& router, ApiDeps& deps) {
  auto cache = std::make_shared<analytics::ResultCache>();
  for (const AnalyticsRoute& route : kRoutes) {
    AddRoute(router, deps, route.path,
             [cache, kind = route.kind](Call& call) { return Analytics(call, kind, *cache); });
  }
  for (const AnalyticsRoute& route : kSaveRoutes) {
    AddRoute(router, deps, route.path,
             [kind = route.kind](Call& call) { return SaveAsSegment(call, kind); });
  }
  AddRoute(router, deps, kAumSeriesPath, AumSeries);
}

std::vector<RouteInfo> ListAnalyticsRoutes() {
  std::vector<RouteInfo> out;
  for (const AnalyticsRoute& route : kRoutes) out.push_back({"post", std::string(route.path)});
  for (const AnalyticsRoute& route : kSaveRoutes) out.push_back({"post", std::string(route.path)});
  out.push_back({"post", std::string(kAumSeriesPath)});
  return out;
}

}  // namespace banyan::api
