// Server: the HTTP/1.1 server (Boost.Beast on Asio coroutines).
//
// The server owns the listening socket and a pool of threads running one io_context. For each
// request it applies, in order: request id, header and body size limits (431/413), gzip request
// bodies (Content-Encoding: gzip, with the limit applied to the decoded size), routing (404/405),
// the handler, then the access log and per-route metrics. Errors it produces itself are
// application/problem+json (RFC 9457). Keep-alive connections are closed after idle_timeout;
// a request must arrive whole within read_timeout and its response be written within
// write_timeout (timeouts are checked periodically, so they may overrun by up to an eighth,
// at most one second). Handlers themselves are never timed out.
//
// Paths are percent-decoded before routing; targets with a malformed escape, an encoded '/'
// or NUL, or a "." or ".." segment are refused with 400, as are transfer codings other than
// chunked. Route labels in metrics and logs are the route pattern, "unmatched" (404, 405 and
// requests refused before routing) or "before_routing".
//
// Shutdown (Stop, or SIGTERM/SIGINT when Run handles signals): stop accepting, let in-flight
// requests finish for up to shutdown_grace (their responses carry "Connection: close"), close
// idle connections, then return from Run. If a handler is still running when the grace ends,
// Run returns anyway and leaves that pool thread to finish on its own; the Router, the Metrics
// and whatever the handler uses must then stay alive until the process exits.
// Thread safety: Start/Run/Stop may be called from any thread; handlers run on pool threads.

#ifndef BANYAN_HTTP_SERVER_H_
#define BANYAN_HTTP_SERVER_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "http/metrics.h"
#include "http/router.h"

namespace banyan::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;  // 0 picks a free port; see Server::port()
  int threads = 0;       // 0: one per core
  size_t body_limit_bytes = 1 << 20;
  size_t header_limit_bytes = 16 << 10;
  std::chrono::milliseconds read_timeout{30000};
  std::chrono::milliseconds idle_timeout{60000};
  std::chrono::milliseconds shutdown_grace{10000};
  // A response must be written within this (a client that stops reading is dropped).
  std::chrono::milliseconds write_timeout{30000};
  size_t connections_max = 10000;
  bool access_log = true;
  // Headers added to every response (e.g. security headers).
  std::vector<std::pair<std::string, std::string>> default_headers;
  // Called for every request before routing; may answer it (e.g. static files, CORS preflight).
  // Returns nullopt to continue to the router.
  std::function<std::optional<Response>(Request&)> before_routing;
};

class Server {
 public:
  Server(ServerOptions options, const Router& router, Metrics& metrics);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens. Fails with Unavailable naming the address when the bind fails.
  Status Start();
  // The bound port (after Start).
  uint16_t port() const;
  // Serves until Stop or, if `handle_signals`, SIGTERM/SIGINT; then drains and returns.
  void Run(bool handle_signals);
  // Begins a graceful shutdown; Run returns when it is done. Safe from any thread.
  void Stop();
  // Number of requests currently being handled.
  size_t InFlight() const;
  // True once a graceful shutdown has begun (Stop or a signal), e.g. for /readyz to report
  // "not ready" while the server drains.
  bool Stopping() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// An application/problem+json response (RFC 9457): {"type", "title", "status", "detail",
// "request_id"} and, when `field_pointer` is set, "errors": [{"pointer": ..., "detail": ...}].
Response ProblemResponse(int status, std::string_view title, std::string_view detail,
                         std::string_view field_pointer = {}, std::string_view request_id = {});

}  // namespace banyan::http

#endif  // BANYAN_HTTP_SERVER_H_
