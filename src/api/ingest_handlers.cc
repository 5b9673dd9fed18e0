#include "api/ingest_handlers.h"

#include <fmt/format.h>

#include "api/call.h"
#include "api/problem.h"
#include "base/encoding.h"
#include "customer/customer_service.h"
#include "events/ingest.h"

namespace banyan::api {
namespace {

using http::Method;

constexpr std::string_view kSegmentCalls[] = {"track",  "identify", "alias",  "group", "page",
                                              "screen", "batch",    "import", "t",     "i",
                                              "a",      "g",        "p",      "s",     "b"};

void AddCors(http::Response& response) {
  response.headers.Set("Access-Control-Allow-Origin", "*");
  response.headers.Set("Access-Control-Expose-Headers", "Retry-After, X-Request-Id");
}

http::Response Preflight(http::Request&) {
  http::Response response = http::Response::NoContent();
  AddCors(response);
  response.headers.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
  response.headers.Set("Access-Control-Allow-Headers",
                       "Authorization, Content-Type, Content-Encoding, X-Request-Id");
  response.headers.Set("Access-Control-Max-Age", "86400");
  return response;
}

http::Response Failure(Status status, const http::Request& request) {
  // The SDKs' rule: 400 for what retrying cannot fix (including size limits), 429/5xx to retry.
  if (status.code() == StatusCode::kTooLarge) {
    status = InvalidArgumentError(status.message(), status.field());
  }
  http::Response response = ErrorResponse(status, request.request_id);
  AddCors(response);
  return response;
}

// The user of `Authorization: Basic base64(user:password)`, if any.
std::optional<std::string> BasicUser(std::string_view authorization) {
  constexpr std::string_view kBasic = "Basic ";
  if (authorization.size() <= kBasic.size() || authorization.substr(0, kBasic.size()) != kBasic) {
    return std::nullopt;
  }
  auto decoded = Base64Decode(authorization.substr(kBasic.size()));
  if (!decoded) return std::nullopt;
  return decoded->substr(0, decoded->find(':'));
}

Result<std::string> WriteKeySource(ApiDeps& deps, std::string_view secret) {
  if (secret.empty()) {
    return UnauthenticatedError(
        "a write key is required: send it as the HTTP Basic user or as \"writeKey\"");
  }
  auto principal = deps.auth->api_keys().AuthenticateWriteKey(secret);
  if (!principal.ok()) return UnauthenticatedError("unknown, expired or revoked write key");
  return std::to_string(principal->id);
}

void Store(ApiDeps& deps, http::Request& request, http::Responder& respond,
           events::DecodedEvents decoded, std::string_view secret) {
  auto source = WriteKeySource(deps, secret);
  if (!source.ok()) return respond(Failure(source.status(), request));
  auto done = [respond, request_id = request.request_id](Result<events::IngestReport> report) {
    if (!report.ok()) {
      http::Response response = ErrorResponse(report.status(), request_id);
      AddCors(response);
      return respond(std::move(response));
    }
    http::Response response = JsonResponse(200, {{"success", true}});
    AddCors(response);
    respond(std::move(response));
  };
  // Customer changes not yet written to the database are bounded: past the bound, ask clients to
  // retry rather than let memory grow (the flusher drains it within a few intervals).
  if (deps.customers != nullptr && deps.customers->Backpressure()) {
    return respond(Failure(
        ResourceExhaustedError("customer updates are being written; retry shortly"), request));
  }
  Status stored = deps.ingestor->Store(std::move(decoded.events), *source, std::move(done));
  if (!stored.ok()) respond(Failure(stored, request));
}

void SegmentIngest(ApiDeps& deps, events::SegmentCall call, http::Request& request,
                   http::Responder respond) {
  std::optional<std::string> key = BasicUser(request.headers.Get("Authorization"));
  if (key) {  // a wrong key in the header is refused before the body is even decoded
    auto source = WriteKeySource(deps, *key);
    if (!source.ok()) return respond(Failure(source.status(), request));
  }
  auto decoded = deps.ingestor->DecodeSegment(request.body, call);
  if (!decoded.ok()) return respond(Failure(decoded.status(), request));
  const std::string secret = key ? *key : decoded->write_key;
  Store(deps, request, respond, std::move(*decoded), secret);
}

void SensorsIngest(ApiDeps& deps, http::Request& request, http::Responder respond) {
  std::optional<std::string> key = BasicUser(request.headers.Get("Authorization"));
  if (!key) key = request.Query("token");
  auto decoded = deps.ingestor->DecodeSensors(
      request.method == Method::kPost ? std::string_view(request.body) : std::string_view(),
      request.query_string);
  if (!decoded.ok()) return respond(Failure(decoded.status(), request));
  Store(deps, request, respond, std::move(*decoded), key.value_or(""));
}

// analytics.js loads its settings from the CDN unless told otherwise; serving them here lets a
// bank's web pages load the SDK against Banyan alone.
http::Response SegmentSettings(ApiDeps& deps, http::Request& request) {
  auto source = WriteKeySource(deps, request.Param("writeKey"));
  if (!source.ok()) return Failure(source.status(), request);
  const std::string host(request.headers.Get("Host"));
  Json settings = {
      {"integrations",
       {{"Segment.io",
         {{"apiKey", request.Param("writeKey")},
          {"apiHost", host + "/v1"},
          {"protocol", "http"},
          {"unbundledIntegrations", Json::array()},
          {"addBundledMetadata", true}}}}},
      {"plan",
       {{"track", {{"__default", {{"enabled", true}, {"integrations", Json::object()}}}}},
        {"identify", {{"__default", {{"enabled", true}}}}},
        {"group", {{"__default", {{"enabled", true}}}}}}},
      {"edgeFunction", Json::object()},
      {"analyticsNextEnabled", true},
      {"middlewareSettings", Json::object()},
      {"enabledMiddleware", Json::object()},
      {"metrics", {{"sampleRate", 0}}},
      {"legacyVideoPluginsEnabled", false},
      {"remotePlugins", Json::array()}};
  http::Response response = JsonResponse(200, settings);
  AddCors(response);
  response.headers.Set("Cache-Control", "public, max-age=300");
  return response;
}

}  // namespace

void RegisterIngestRoutes(http::Router& router, ApiDeps& deps) {
  for (std::string_view name : kSegmentCalls) {
    const std::string path = fmt::format("/v1/{}", name);
    const events::SegmentCall call = *events::SegmentCallFromPath(name);
    router.AddAsync(Method::kPost, path, [&deps, call](http::Request& r, http::Responder done) {
      SegmentIngest(deps, call, r, std::move(done));
    });
    router.Add(Method::kOptions, path, Preflight);
  }
  router.Add(Method::kGet, "/v1/projects/{writeKey}/settings",
             [&deps](http::Request& r) { return SegmentSettings(deps, r); });
  router.Add(Method::kOptions, "/v1/projects/{writeKey}/settings", Preflight);
  for (std::string_view path : {"/sa", "/sa.gif"}) {
    auto handler = [&deps](http::Request& r, http::Responder done) {
      SensorsIngest(deps, r, std::move(done));
    };
    router.AddAsync(Method::kPost, path, handler);
    router.AddAsync(Method::kGet, path, handler);
    router.Add(Method::kOptions, path, Preflight);
  }
}

std::vector<RouteInfo> ListIngestRoutes() {
  std::vector<RouteInfo> out;
  for (std::string_view name : kSegmentCalls) {
    out.push_back({"post", fmt::format("/v1/{}", name)});
    out.push_back({"options", fmt::format("/v1/{}", name)});
  }
  out.push_back({"get", "/v1/projects/{writeKey}/settings"});
  out.push_back({"options", "/v1/projects/{writeKey}/settings"});
  for (std::string path : {"/sa", "/sa.gif"}) {
    out.push_back({"post", path});
    out.push_back({"get", path});
    out.push_back({"options", path});
  }
  return out;
}

}  // namespace banyan::api
