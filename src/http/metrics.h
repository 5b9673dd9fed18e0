// Metrics: request counts and latency histograms per route, exported in the Prometheus text
// format (version 0.0.4).
//
//   banyan_http_requests_total{method="GET",route="/healthz",status="200"} 12
//   banyan_http_request_duration_seconds_bucket{method="GET",route="/healthz",le="0.005"} 12
//
// Also holds process-wide gauges and counters that other modules register by name
// (e.g. banyan_events_appended_total). After a route's first request, recording takes only a
// shared lock on a read-mostly map plus relaxed atomic increments; the first request of a new
// (method, route, status) takes the lock exclusively once. Route labels must come from a
// bounded set (route patterns, not raw paths); past 10000 series new ones count as "overflow".
// Thread safety: all methods are safe from any thread.

#ifndef BANYAN_HTTP_METRICS_H_
#define BANYAN_HTTP_METRICS_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "http/message.h"

namespace banyan::http {

class Metrics {
 public:
  Metrics();
  ~Metrics();

  void RecordRequest(Method method, std::string_view route, int status,
                     std::chrono::nanoseconds duration);

  // A named counter, created on first use; the returned reference lives as long as Metrics.
  // REQUIRES (all registrations): `name` is a valid Prometheus metric name, not one of the
  // banyan_http_request* names above, and not already registered with another type.
  std::atomic<int64_t>& Counter(std::string_view name, std::string_view help);
  // A gauge whose value is read at export time, without Metrics' locks held. Registering the
  // same name again replaces the reader. A reader that throws exports NaN.
  void Gauge(std::string_view name, std::string_view help, std::function<double()> read);
  // A counter kept elsewhere (a module's own atomic), read at export time.
  void CounterFunc(std::string_view name, std::string_view help, std::function<double()> read);
  // A gauge held in an atomic that callers add to and subtract from (e.g. requests in flight);
  // created on first use, the same cell for the same name; lives as long as Metrics.
  std::atomic<int64_t>& IntGauge(std::string_view name, std::string_view help);

  // The whole exposition text.
  std::string Export() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace banyan::http

#endif  // BANYAN_HTTP_METRICS_H_
