// The HTTP API under /api/v1 (plus /healthz, /readyz, /metrics): one handler file per resource,
// every route listed once in routes.cc with the access it requires.
//
// Every request to a non-public route passes through one guard (guard.cc) that authenticates it
// (console session cookie or API key), checks the CSRF token on state-changing session
// requests, and checks the route's permission, before the handler runs. Handlers then scope what
// they read and write to the caller's principal.
// Thread safety: RegisterRoutes is called once at start; handlers are safe from any thread.

#ifndef BANYAN_API_API_H_
#define BANYAN_API_API_H_

#include <functional>
#include <string>
#include <vector>

#include "auth/auth.h"
#include "base/clock.h"
#include "base/config.h"
#include "base/worker_pool.h"
#include "http/metrics.h"
#include "http/router.h"
#include "store/database.h"

namespace banyan::events {
class Ingestor;
}  // namespace banyan::events
namespace banyan::customer {
class CustomerService;
}  // namespace banyan::customer
namespace banyan::messaging {
class MessagingService;
}  // namespace banyan::messaging
namespace banyan::segment {
class SegmentService;
}  // namespace banyan::segment

namespace banyan::api {

// What handlers need; owned by the server, outlives the router.
struct ApiDeps {
  const Config* config = nullptr;
  const Clock* clock = nullptr;
  store::Database* db = nullptr;
  auth::AuthSystem* auth = nullptr;
  http::Metrics* metrics = nullptr;
  // True when the server can take traffic (store open, recovery done, not draining).
  std::function<bool()> ready;
  // Runs handlers that hash passwords; null runs them inline (tests).
  WorkerPool* slow_pool = nullptr;
  // Event ingestion; null when the event log is not open (the ingestion routes are then absent).
  events::Ingestor* ingestor = nullptr;
  // Customers (OneID, profiles, consent); null when not open (the routes answer 503).
  customer::CustomerService* customers = nullptr;
  // Messaging (send API, templates, channels, timeline); null when not open (routes absent).
  messaging::MessagingService* messaging = nullptr;
  // Tags and segments; null when not open (the routes answer 503).
  segment::SegmentService* segments = nullptr;
};

void RegisterRoutes(http::Router& router, ApiDeps& deps);

// The registered routes, for the OpenAPI consistency test.
struct RouteInfo {
  std::string method;  // lower case, as in OpenAPI: "get"
  std::string pattern;
};
std::vector<RouteInfo> ListRoutes();

// The OpenAPI document served at /api/v1/openapi.json (docs/openapi.json, embedded).
std::string_view OpenApiDocument();

}  // namespace banyan::api

#endif  // BANYAN_API_API_H_
