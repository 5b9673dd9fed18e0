// Every route of the API, each with the access it requires: the one list the guard enforces.

#include <fmt/format.h>

#include "api/analytics_handlers.h"
#include "api/guard.h"
#include "api/handlers.h"
#include "api/ingest_handlers.h"
#include "api/message_handlers.h"
#include "api/problem.h"
#include "base/logging.h"

namespace banyan::api {
namespace {

using auth::Permission;
using http::Method;

// Handlers that hash a password (Argon2id: tens of milliseconds by design), or that read or
// rewrite a whole customer (export, erasure, unmerge), run on the slow
// pool, not on the HTTP threads, so a burst of logins never stalls other requests.
enum class Cost { kFast, kSlow };

struct Route {
  Method method;
  std::string_view pattern;
  Access access;
  std::optional<Permission> permission;
  Result<http::Response> (*handler)(Call&);
  Cost cost = Cost::kFast;
};

// clang-format off
const std::vector<Route>& Table() {
  static const std::vector<Route> kRoutes = {
    {Method::kGet,    "/healthz",                         Access::kPublic,        {}, Healthz},
    {Method::kGet,    "/readyz",                          Access::kPublic,        {}, Readyz},
    {Method::kGet,    "/metrics",                         Access::kPermission,    Permission::kMetricsRead, MetricsText},
    {Method::kGet,    "/api/v1/openapi.json",             Access::kPublic,        {}, OpenApi},
    {Method::kPost,   "/api/v1/auth/login",               Access::kPublic,        {}, Login, Cost::kSlow},
    {Method::kPost,   "/api/v1/auth/logout",              Access::kAuthenticated, {}, Logout},
    {Method::kGet,    "/api/v1/me",                       Access::kAuthenticated, {}, GetMe},
    {Method::kPatch,  "/api/v1/me",                       Access::kAuthenticated, {}, UpdateMe},
    {Method::kPut,    "/api/v1/me/password",              Access::kAuthenticated, {}, ChangeMyPassword, Cost::kSlow},
    {Method::kGet,    "/api/v1/staff",                    Access::kPermission,    Permission::kStaffRead, ListStaff},
    {Method::kPost,   "/api/v1/staff",                    Access::kPermission,    Permission::kStaffWrite, CreateStaff, Cost::kSlow},
    {Method::kGet,    "/api/v1/staff/{id}",               Access::kPermission,    Permission::kStaffRead, GetStaff},
    {Method::kPatch,  "/api/v1/staff/{id}",               Access::kPermission,    Permission::kStaffWrite, UpdateStaff},
    {Method::kPut,    "/api/v1/staff/{id}/password",      Access::kPermission,    Permission::kStaffWrite, SetStaffPassword, Cost::kSlow},
    {Method::kGet,    "/api/v1/branches",                 Access::kPermission,    Permission::kBranchesRead, ListBranches},
    {Method::kPost,   "/api/v1/branches",                 Access::kPermission,    Permission::kBranchesWrite, CreateBranch},
    {Method::kGet,    "/api/v1/branches/{id}",            Access::kPermission,    Permission::kBranchesRead, GetBranch},
    {Method::kPatch,  "/api/v1/branches/{id}",            Access::kPermission,    Permission::kBranchesWrite, UpdateBranch},
    {Method::kGet,    "/api/v1/api-keys",                 Access::kPermission,    Permission::kApiKeysManage, ListApiKeys},
    {Method::kPost,   "/api/v1/api-keys",                 Access::kPermission,    Permission::kApiKeysManage, CreateApiKey},
    {Method::kDelete, "/api/v1/api-keys/{id}",            Access::kPermission,    Permission::kApiKeysManage, RevokeApiKey},
    {Method::kGet,    "/api/v1/events",                   Access::kPermission,    Permission::kEventsRead, ListEvents},
    {Method::kGet,    "/api/v1/tracking-plan",            Access::kPermission,    Permission::kEventsRead, GetTrackingPlan},
    {Method::kGet,    "/api/v1/customers",                Access::kPermission,    Permission::kCustomersRead, ListCustomers},
    {Method::kGet,    "/api/v1/customers/{id}",           Access::kPermission,    Permission::kCustomersRead, GetCustomer},
    {Method::kDelete, "/api/v1/customers/{id}",           Access::kPermission,    Permission::kCustomersErase, EraseCustomer, Cost::kSlow},
    {Method::kGet,    "/api/v1/customers/{id}/events",    Access::kPermission,    Permission::kCustomersRead, GetCustomerEvents},
    {Method::kPost,   "/api/v1/customers/{id}/unmask",    Access::kPermission,    Permission::kPiiUnmask, UnmaskCustomerField},
    {Method::kGet,    "/api/v1/customers/{id}/export",    Access::kPermission,    Permission::kCustomersExport, ExportCustomer, Cost::kSlow},
    {Method::kGet,    "/api/v1/customers/{id}/consents",  Access::kPermission,    Permission::kCustomersRead, ListCustomerConsents},
    {Method::kPost,   "/api/v1/customers/{id}/consents",  Access::kPermission,    Permission::kConsentWrite, RecordCustomerConsent},
    {Method::kGet,    "/api/v1/customers/{id}/balances",  Access::kPermission,    Permission::kCustomersRead, GetCustomerBalances},
    {Method::kGet,    "/api/v1/identity/conflicts",       Access::kPermission,    Permission::kCustomersErase, ListIdentityConflicts},
    {Method::kPost,   "/api/v1/identity/conflicts/{id}/resolve", Access::kPermission, Permission::kCustomersErase, ResolveIdentityConflict},
    {Method::kPost,   "/api/v1/identity/merges/{id}/unmerge", Access::kPermission, Permission::kCustomersErase, UnmergeIdentity, Cost::kSlow},
    {Method::kGet,    "/api/v1/identifier-types",         Access::kPermission,    Permission::kCustomersRead, ListIdentifierTypes},
    {Method::kGet,    "/api/v1/profile/attributes",       Access::kPermission,    Permission::kCustomersRead, ListProfileAttributes},
    {Method::kPost,   "/api/v1/profile/attributes",       Access::kPermission,    Permission::kCustomersWrite, AddProfileAttribute},
    {Method::kGet,    "/api/v1/tags",                     Access::kPermission,    Permission::kTagsRead, ListTags},
    {Method::kPost,   "/api/v1/tags",                     Access::kPermission,    Permission::kTagsWrite, CreateTag},
    {Method::kGet,    "/api/v1/tags/{id}",                Access::kPermission,    Permission::kTagsRead, GetTag},
    {Method::kPatch,  "/api/v1/tags/{id}",                Access::kPermission,    Permission::kTagsWrite, UpdateTag},
    {Method::kDelete, "/api/v1/tags/{id}",                Access::kPermission,    Permission::kTagsWrite, DeleteTag},
    {Method::kPut,    "/api/v1/tags/{id}/members",        Access::kPermission,    Permission::kTagsWrite, ImportTagMembers, Cost::kSlow},
    {Method::kPost,   "/api/v1/tags/{id}/refresh",        Access::kPermission,    Permission::kTagsWrite, RefreshTag, Cost::kSlow},
    {Method::kGet,    "/api/v1/customers/{id}/tags",      Access::kPermission,    Permission::kCustomersRead, GetCustomerTags},
    {Method::kGet,    "/api/v1/segments",                 Access::kPermission,    Permission::kSegmentsRead, ListSegments},
    {Method::kPost,   "/api/v1/segments",                 Access::kPermission,    Permission::kSegmentsWrite, CreateSegment, Cost::kSlow},
    {Method::kGet,    "/api/v1/segments/catalog",         Access::kPermission,    Permission::kSegmentsRead, GetSegmentCatalog},
    {Method::kPost,   "/api/v1/segments/preview",         Access::kPermission,    Permission::kSegmentsRead, PreviewSegmentExpression},
    {Method::kPost,   "/api/v1/segments/overlap",         Access::kPermission,    Permission::kSegmentsRead, OverlapSegments},
    {Method::kGet,    "/api/v1/segments/{id}",            Access::kPermission,    Permission::kSegmentsRead, GetSegment},
    {Method::kPatch,  "/api/v1/segments/{id}",            Access::kPermission,    Permission::kSegmentsWrite, UpdateSegment, Cost::kSlow},
    {Method::kDelete, "/api/v1/segments/{id}",            Access::kPermission,    Permission::kSegmentsWrite, DeleteSegment},
    {Method::kGet,    "/api/v1/segments/{id}/preview",    Access::kPermission,    Permission::kSegmentsRead, PreviewSavedSegment},
    {Method::kGet,    "/api/v1/segments/{id}/export",     Access::kPermission,    Permission::kCustomersExport, ExportSegment, Cost::kSlow},
    {Method::kPost,   "/api/v1/segments/{id}/snapshots",  Access::kPermission,    Permission::kSegmentsWrite, CreateSegmentSnapshot, Cost::kSlow},
    {Method::kGet,    "/api/v1/segments/{id}/snapshots",  Access::kPermission,    Permission::kSegmentsRead, ListSegmentSnapshots},
    {Method::kGet,    "/api/v1/segments/{id}/transitions", Access::kPermission,   Permission::kSegmentsRead, ListSegmentTransitions},
    {Method::kGet,    "/api/v1/audit",                    Access::kPermission,    Permission::kAuditRead, ListAudit},
    {Method::kGet,    "/api/v1/audit/verify",             Access::kPermission,    Permission::kAuditRead, VerifyAudit},
  };
  return kRoutes;
}
// clang-format on

http::Response Dispatch(const Route& route, http::Request& request, ApiDeps& deps) {
  Access access = route.access;
  if (route.handler == MetricsText && !deps.config->http.metrics_require_auth) {
    access = Access::kPublic;
  }
  auto principal = Admit(request, deps, access, route.permission);
  if (!principal.ok()) return ErrorResponse(principal.status(), request.request_id);
  Call call{request, *principal, {request.request_id, request.remote_address}, deps};
  Result<http::Response> response = route.handler(call);
  if (!response.ok()) {
    const Status& status = response.status();
    if (HttpStatusFor(status.code()) >= 500) {
      log::Error("api.error", {{"route", route.pattern},
                               {"request_id", request.request_id},
                               {"error", status.ToString()}});
    }
    return ErrorResponse(status, request.request_id);
  }
  return std::move(response).value();
}

}  // namespace

void RegisterRoutes(http::Router& router, ApiDeps& deps) {
  if (deps.ingestor != nullptr) RegisterIngestRoutes(router, deps);
  if (deps.messaging != nullptr) RegisterMessageRoutes(router, deps);
  RegisterAnalyticsRoutes(router, deps);
  for (const Route& route : Table()) {
    if (route.cost == Cost::kFast || deps.slow_pool == nullptr) {
      router.Add(route.method, route.pattern, [&route, &deps](http::Request& request) {
        return Dispatch(route, request, deps);
      });
      continue;
    }
    router.AddAsync(route.method, route.pattern,
                    [&route, &deps](http::Request& request, http::Responder respond) {
                      auto owned = std::make_shared<http::Request>(std::move(request));
                      Status queued = deps.slow_pool->Submit([&route, &deps, owned, respond] {
                        respond(Dispatch(route, *owned, deps));
                      });
                      if (!queued.ok()) respond(ErrorResponse(queued, owned->request_id));
                    });
  }
}

std::vector<RouteInfo> ListRoutes() {
  std::vector<RouteInfo> out = ListIngestRoutes();
  for (RouteInfo& route : ListMessageRoutes()) out.push_back(std::move(route));
  for (RouteInfo& route : ListAnalyticsRoutes()) out.push_back(std::move(route));
  for (const Route& route : Table()) {
    std::string method(http::MethodName(route.method));
    for (auto& c : method) c = static_cast<char>(std::tolower(c));
    out.push_back({method, std::string(route.pattern)});
  }
  return out;
}

}  // namespace banyan::api
