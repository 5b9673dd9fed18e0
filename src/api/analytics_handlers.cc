#include "api/analytics_handlers.h"

#include <fmt/format.h>

#include <memory>

#include "analytics/query_json.h"
#include "analytics/result_cache.h"
#include "api/call.h"
#include "api/guard.h"
#include "api/problem.h"
#include "customer/customer_service.h"
#include "segment/ast.h"
#include "segment/engine_eval.h"

namespace banyan::api {
namespace {

enum class Kind { kFunnel, kRetention, kActivity, kTrend };

struct AnalyticsRoute {
  std::string_view path;
  Kind kind;
};

constexpr AnalyticsRoute kRoutes[] = {
    {"/api/v1/analytics/funnel", Kind::kFunnel},
    {"/api/v1/analytics/retention", Kind::kRetention},
    {"/api/v1/analytics/activity", Kind::kActivity},
    {"/api/v1/analytics/trend", Kind::kTrend},
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

Result<Json> Run(Kind kind, const Json& body, const analytics::QueryEnvelope& envelope,
                 const analytics::QueryContext& context) {
  const engine::Snapshot& snapshot = *context.snapshot;
  switch (kind) {
    case Kind::kFunnel: {
      ASSIGN_OR_RETURN(const analytics::FunnelQuery query, analytics::ParseFunnelQuery(body));
      if (envelope.select) {
        ASSIGN_OR_RETURN(const analytics::FunnelSelection selection,
                         analytics::ParseFunnelSelection(*envelope.select));
        ASSIGN_OR_RETURN(const engine::Bitmap members,
                         analytics::FunnelMembers(context, query, selection));
        return MembersJson(members, snapshot);
      }
      ASSIGN_OR_RETURN(const analytics::FunnelResult result, analytics::RunFunnel(context, query));
      return analytics::FunnelResultJson(query, result);
    }
    case Kind::kRetention: {
      ASSIGN_OR_RETURN(const analytics::RetentionQuery query, analytics::ParseRetentionQuery(body));
      if (envelope.select) {
        ASSIGN_OR_RETURN(const analytics::RetentionSelection selection,
                         analytics::ParseRetentionSelection(*envelope.select));
        ASSIGN_OR_RETURN(const engine::Bitmap members,
                         analytics::RetentionMembers(context, query, selection));
        return MembersJson(members, snapshot);
      }
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
  }
  return InternalError("unknown analytics kind");
}

// Who the query may count: the caller's scope, ANDed with the segment when there is one.
// A segment is evaluated on the engine as written (tags and saved segments are not available
// here yet: they answer FailedPrecondition).
Result<engine::Bitmap> Population(customer::CustomerService& customers, Call& call,
                                  const engine::Snapshot& snapshot,
                                  const analytics::QueryEnvelope& envelope, Timestamp now) {
  ASSIGN_OR_RETURN(engine::Bitmap population, customers.VisibleCustomers(call.principal, snapshot));
  if (!envelope.segment) return population;
  Result<segment::Expr> expr = segment::Parse(*envelope.segment);
  if (!expr.ok()) return InvalidArgumentError(expr.status().message(), "/segment");
  segment::EvalContext eval;
  eval.now = now;
  eval.calendar = &customers.calendar();
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

Result<http::Response> Analytics(Call& call, Kind kind, analytics::ResultCache& cache) {
  customer::CustomerService* customers = call.deps.customers;
  if (customers == nullptr || !customers->has_engine()) {
    return UnavailableError("the analytic engine is not running");
  }
  ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request));
  const std::string text = body.dump();
  ASSIGN_OR_RETURN(const analytics::QueryEnvelope envelope, analytics::TakeEnvelope(body));
  const std::shared_ptr<const engine::Snapshot> snapshot = customers->engine().snapshot();
  const Timestamp now = call.deps.clock->Now();
  const std::string key = fmt::format("{}\n{}:{}\n{}\n{}\n{}", static_cast<int>(kind),
                                      static_cast<int>(call.principal.kind), call.principal.id,
                                      snapshot->version(), ToUnixSeconds(now) / 60, text);
  if (const auto hit = cache.Find(key)) return http::Response::Json(200, *hit);
  ASSIGN_OR_RETURN(engine::Bitmap population,
                   Population(*customers, call, *snapshot, envelope, now));
  analytics::QueryContext context;
  context.snapshot = snapshot.get();
  context.population = std::move(population);
  context.calendar = &customers->calendar();
  context.now = now;
  context.deadline = analytics::Deadline(call.deps.clock, envelope.time_limit_ms);
  ASSIGN_OR_RETURN(Json result, Run(kind, body, envelope, context));
  result["data_version"] = snapshot->version();
  std::string out = result.dump();
  cache.Put(key, out);
  return http::Response::Json(200, std::move(out));
}

}  // namespace

void RegisterAnalyticsRoutes(http::Router& router, ApiDeps& deps) {
  auto cache = std::make_shared<analytics::ResultCache>();
  for (const AnalyticsRoute& route : kRoutes) {
    auto serve = [&deps, cache, kind = route.kind](http::Request& request) {
      auto principal = Admit(request, deps, Access::kPermission, auth::Permission::kAnalyticsRead);
      if (!principal.ok()) return ErrorResponse(principal.status(), request.request_id);
      Call call{request, *principal, {request.request_id, request.remote_address}, deps};
      Result<http::Response> response = Analytics(call, kind, *cache);
      if (!response.ok()) return ErrorResponse(response.status(), request.request_id);
      return std::move(response).value();
    };
    if (deps.slow_pool == nullptr) {
      router.Add(http::Method::kPost, route.path, serve);
      continue;
    }
    // Queries scan the engine for up to their time limit: off the HTTP threads.
    router.AddAsync(http::Method::kPost, route.path,
                    [&deps, serve](http::Request& request, http::Responder respond) {
                      auto owned = std::make_shared<http::Request>(std::move(request));
                      Status queued = deps.slow_pool->Submit(
                          [serve, owned, respond] { respond(serve(*owned)); });
                      if (!queued.ok()) respond(ErrorResponse(queued, owned->request_id));
                    });
  }
}

std::vector<RouteInfo> ListAnalyticsRoutes() {
  std::vector<RouteInfo> out;
  for (const AnalyticsRoute& route : kRoutes) out.push_back({"post", std::string(route.path)});
  return out;
}

}  // namespace banyan::api
