// `banyan serve`: opens the data directory, wires the modules and runs the HTTP server until
// SIGTERM or SIGINT, then drains in-flight requests and closes the store cleanly.

#include <fmt/format.h>

#include <atomic>
#include <charconv>
#include <cstdio>

#include "api/api.h"
#include "base/logging.h"
#include "http/server.h"
#include "server/app.h"
#include "server/cli.h"
#include "server/static_files.h"

namespace banyan::server {
namespace {

constexpr int kSlowPoolThreads = 2;
constexpr size_t kSlowPoolQueueMax = 256;

Result<std::pair<std::string, uint16_t>> SplitListen(const std::string& listen) {
  const auto colon = listen.rfind(':');
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  int port = -1;
  const std::string digits = listen.substr(colon + 1);
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (ec != std::errc() || end != digits.data() + digits.size() || port < 0 || port > 65535) {
    return InvalidArgumentError(fmt::format("server.listen: '{}' has no valid port", listen));
  }
  return std::make_pair(host, static_cast<uint16_t>(port));
}

http::ServerOptions ServerOptionsFor(const Config& config, std::string host, uint16_t port) {
  http::ServerOptions options;
  options.address = std::move(host);
  options.port = port;
  options.threads = static_cast<int>(config.server.threads);
  options.body_limit_bytes = static_cast<size_t>(config.http.body_limit_bytes);
  options.header_limit_bytes = static_cast<size_t>(config.http.header_limit_bytes);
  options.read_timeout = std::chrono::milliseconds(config.http.read_timeout_ms);
  options.idle_timeout = std::chrono::milliseconds(config.http.idle_timeout_ms);
  options.shutdown_grace = std::chrono::milliseconds(config.http.shutdown_grace_ms);
  options.connections_max = static_cast<size_t>(config.http.connections_max);
  options.access_log = config.http.access_log;
  options.default_headers = {
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},
      {"Content-Security-Policy",
       "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
       "frame-ancestors 'none'"},
  };
  return options;
}

}  // namespace

int RunServe(const Args& args) {
  auto config = LoadConfigFor(args);
  if (!config.ok()) return Fail(config.status());
  if (Status s = log::InitLogging(config->log.level, config->log.format); !s.ok()) return Fail(s);
  auto listen = SplitListen(config->server.listen);
  if (!listen.ok()) return Fail(listen.status());
  auto app = App::Open(*config, /*exclusive=*/true);
  if (!app.ok()) return Fail(app.status());
  const std::string web_dir = FindWebDir(config->server.web_dir);
  auto web = StaticFiles::Load(web_dir);
  if (!web.ok()) return Fail(web.status());

  http::Metrics metrics;
  http::Router router;
  std::atomic<bool> ready{false};
  http::Server* server_ptr = nullptr;
  // Password hashing is memory-hard (Argon2id); two at a time bounds its memory and CPU.
  WorkerPool slow_pool("the password-hashing pool", kSlowPoolThreads, kSlowPoolQueueMax);
  api::ApiDeps deps{.config = &*config,
                    .clock = &(*app)->clock(),
                    .db = &(*app)->db(),
                    .auth = &(*app)->auth(),
                    .metrics = &metrics,
                    .ready = [&] { return ready.load() && !server_ptr->Stopping(); },
                    .slow_pool = &slow_pool};
  api::RegisterRoutes(router, deps);

  http::ServerOptions options = ServerOptionsFor(*config, listen->first, listen->second);
  options.before_routing = [&web](http::Request& request) { return web->Serve(request); };
  http::Server server(options, router, metrics);
  server_ptr = &server;
  if (Status s = server.Start(); !s.ok()) return Fail(s);

  const std::string url = fmt::format("http://{}:{}", listen->first, server.port());
  log::Info("server.started", {{"url", url},
                               {"data_dir", config->server.data_dir},
                               {"console_files", static_cast<int64_t>(web->size())}});
  // Tests and scripts read this line to learn the port when listening on port 0.
  std::printf("banyan: listening on %s\n", url.c_str());
  std::fflush(stdout);
  ready = true;
  server.Run(/*handle_signals=*/true);
  ready = false;
  (*app)->Close();
  log::Info("server.stopped");
  log::FlushLogging();
  return 0;
}

}  // namespace banyan::server
