// Pipeline: everything the server does to a request between parsing and writing, without
// touching sockets: request id, target and path checks, gzip bodies, the before_routing hook,
// routing, calling synchronous handlers, the final response fixes (status and header checks,
// default headers, X-Request-Id) and, once written, the access log and metrics.
//
// The connection code (connection.cc, the only part that speaks Beast and Asio) drives it:
//   AssignRequestId → Prepare → handler (sync via CallHandler, or async) → Finish → write →
//   Record.
// Thread safety: one Pipeline serves all connections; every method is safe from any thread.

#ifndef BANYAN_HTTP_INTERNAL_PIPELINE_H_
#define BANYAN_HTTP_INTERNAL_PIPELINE_H_

#include <chrono>
#include <optional>
#include <string_view>

#include "http/internal/request_id.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/server.h"

namespace banyan::http::internal {

// Route labels for requests no route pattern describes; they keep metric cardinality bounded.
inline constexpr std::string_view kUnmatchedRoute = "unmatched";
inline constexpr std::string_view kBeforeRoutingRoute = "before_routing";

class Pipeline {
 public:
  // `options`, `router` and `metrics` must outlive the Pipeline.
  Pipeline(const ServerOptions& options, const Router& router, Metrics& metrics);

  // Where Prepare sent the request when it did not answer it itself.
  struct Dispatch {
    const Handler* handler = nullptr;
    const AsyncHandler* async_handler = nullptr;
  };

  // Sets request.request_id from X-Request-Id when acceptable, else a new id.
  void AssignRequestId(Request& request);
  // Fills path and query from the target, decodes a gzip body, runs before_routing and routes.
  // Returns the response when the request is answered already (an error, or the hook answered);
  // otherwise fills request.route and request.path_params and sets one handler in `dispatch`.
  std::optional<Response> Prepare(Request& request, Dispatch& dispatch);
  // Calls a synchronous handler; an exception becomes a logged 500.
  Response CallHandler(const Handler& handler, Request& request);
  // The 500 for a handler that threw or never answered; logs `what`.
  Response HandlerFailed(const Request& request, std::string_view what);
  // Makes `response` safe to send: status in 200..599 and sane headers (else a logged 500),
  // no framing headers from the handler, default headers, X-Request-Id.
  void Finish(const Request& request, Response& response);
  // After the response is written (or failed to be): metrics and the access log line.
  void Record(const Request& request, int status, size_t body_bytes,
              std::chrono::nanoseconds duration);

  const ServerOptions& options() const { return options_; }

 private:
  std::optional<Response> DecodeBody(Request& request);
  std::optional<Response> Route(Request& request, Dispatch& dispatch);

  const ServerOptions& options_;
  const Router& router_;
  Metrics& metrics_;
  RequestIdGenerator request_ids_;
};

// Splits `request.target` into a percent-decoded `path` and a raw `query_string`. Fails on
// targets that are not origin-form (or absolute-form), malformed escapes, an encoded '/' or NUL,
// and "." or ".." segments, none of which a well-behaved client sends.
Status ParseTarget(Request& request);

}  // namespace banyan::http::internal

#endif  // BANYAN_HTTP_INTERNAL_PIPELINE_H_
