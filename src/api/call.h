// Call: what a handler receives — the request, the authenticated principal, the audit context
// and the dependencies — and helpers every handler uses for bodies, paging and responses.
// Thread safety: a Call belongs to one request on one thread.

#ifndef BANYAN_API_CALL_H_
#define BANYAN_API_CALL_H_

#include <string>

#include "api/api.h"
#include "auth/audit.h"
#include "auth/principal.h"
#include "base/json.h"
#include "base/result.h"
#include "http/message.h"

namespace banyan::api {

struct Call {
  http::Request& request;
  const auth::Principal& principal;  // System() for public routes
  auth::AuditContext audit;
  ApiDeps& deps;
};

// A route handler: returns the response or the Status to report as problem+json.
using ApiHandler = std::function<Result<http::Response>(Call&)>;

// Limits on request bodies parsed as JSON by the API.
inline constexpr size_t kApiBodyBytesMax = 256 << 10;
inline constexpr int kApiBodyDepthMax = 16;
inline constexpr int kPageLimitDefault = 50;
inline constexpr int kPageLimitMax = 200;

// Parses the request body as a JSON object. Errors: 400 with the position, 413 past the limit.
Result<Json> ParseJsonBody(const http::Request& request);

struct PageParams {
  std::string cursor;
  int limit = kPageLimitDefault;
};
// Reads ?cursor= and ?limit= (1..kPageLimitMax).
Result<PageParams> ReadPageParams(const http::Request& request);
// Reads a positive integer id from path parameter `name`.
Result<int64_t> ReadIdParam(const http::Request& request, std::string_view name);
// Reads an optional integer query parameter.
Result<std::optional<int64_t>> ReadIntQuery(const http::Request& request, std::string_view name);

http::Response JsonResponse(int status, const Json& body);
// `response` as a download named `filename`, never cached (exports of personal data).
http::Response Attachment(http::Response response, const std::string& filename);
// {"items": [...], "next_cursor": "..."|null}
http::Response PageResponse(Json items, const std::string& next_cursor);

}  // namespace banyan::api

#endif  // BANYAN_API_CALL_H_
