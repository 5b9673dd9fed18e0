// /healthz, /readyz, /metrics and /api/v1/openapi.json.

#include "api/handlers.h"

namespace banyan::api {

// Alive: the process answers. Orchestrators restart a process that fails this.
Result<http::Response> Healthz(Call&) { return JsonResponse(200, {{"status", "ok"}}); }

// Ready: the store is open and start-up recovery is done; load balancers route only to ready
// processes, and a draining server reports not ready.
Result<http::Response> Readyz(Call& call) {
  if (call.deps.ready && !call.deps.ready()) {
    return UnavailableError("not ready: starting up or shutting down");
  }
  RETURN_IF_ERROR(call.deps.db->Read([](store::Transaction& tx) {
    return tx.Query("SELECT 1", {}, [](const store::Row&) { return Status::Ok(); });
  }));
  return JsonResponse(200, {{"status", "ready"}});
}

Result<http::Response> MetricsText(Call& call) {
  return http::Response::Text(200, call.deps.metrics->Export(),
                              "text/plain; version=0.0.4; charset=utf-8");
}

Result<http::Response> OpenApi(Call&) {
  http::Response response =
      http::Response::Text(200, std::string(OpenApiDocument()), "application/json");
  response.headers.Set("Cache-Control", "no-cache");
  return response;
}

}  // namespace banyan::api
