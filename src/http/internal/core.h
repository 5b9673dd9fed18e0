// Core: the state one Server shares with its connections and pool threads — options, the
// request pipeline, the io_context, the acceptor, counters and the registry of open connections
// used to drain them at shutdown.
//
// A Core lives in a shared_ptr held by the Server, by each pool thread and by each pending
// Responder, so that when shutdown has to abandon a hung handler, nothing that handler can
// still reach is freed under it. Connections refer to it by reference: they never outlive it.
// Thread safety: the atomics are safe from any thread; fields marked "guarded by mutex" need
// `mutex`; the acceptor and signal set are used only on `control` (before Run, only by the
// thread that calls Start and Run).

#ifndef BANYAN_HTTP_INTERNAL_CORE_H_
#define BANYAN_HTTP_INTERNAL_CORE_H_

// <utility> before any Asio header: Asio 1.74 relies on it being included first under GCC 12.
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_set>

#include "http/internal/pipeline.h"
#include "http/server.h"

namespace banyan::http::internal {

namespace asio = boost::asio;

class Connection;

struct Core : std::enable_shared_from_this<Core> {
  Core(ServerOptions server_options, const Router& router, Metrics& server_metrics, int threads)
      : options(std::move(server_options)),
        metrics(server_metrics),
        pipeline(options, router, server_metrics),
        in_flight_gauge(server_metrics.IntGauge("banyan_http_in_flight_requests",
                                                "HTTP requests being handled.")),
        open_connections_gauge(server_metrics.IntGauge("banyan_http_open_connections",
                                                       "Open HTTP client connections.")),
        refused_total(server_metrics.Counter(
            "banyan_http_connections_refused_total",
            "HTTP connections closed on accept because connections_max was reached.")),
        io_context(threads),
        control(asio::make_strand(io_context)),
        acceptor(control) {}

  const ServerOptions options;
  Metrics& metrics;
  Pipeline pipeline;

  std::atomic<bool> stopping{false};  // set once shutdown begins; never cleared
  std::atomic<size_t> in_flight{0};
  std::atomic<size_t> open_connections{0};       // decremented under mutex (Run waits for zero)
  std::atomic<int64_t>& in_flight_gauge;         // shared by every Server on the same Metrics
  std::atomic<int64_t>& open_connections_gauge;  // likewise
  std::atomic<int64_t>& refused_total;

  std::mutex mutex;
  std::condition_variable changed;              // signalled when the fields below change
  std::unordered_set<Connection*> connections;  // guarded by mutex; see connection.h
  bool stop_requested = false;                  // guarded by mutex
  bool accepting = false;                       // guarded by mutex: the accept loop runs
  int threads_exited = 0;                       // guarded by mutex

  // Declared after everything connections touch, so it is destroyed (destroying any coroutine
  // frames it still holds) while that state still exists.
  asio::io_context io_context;
  // The acceptor, the signal set and the timeout sweep run here.
  asio::strand<asio::io_context::executor_type> control;
  asio::ip::tcp::acceptor acceptor;
  std::optional<asio::signal_set> signals;
};

}  // namespace banyan::http::internal

#endif  // BANYAN_HTTP_INTERNAL_CORE_H_
