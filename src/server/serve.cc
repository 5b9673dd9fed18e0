// `banyan serve`: opens the data directory, wires the modules and runs the HTTP server until
// SIGTERM or SIGINT, then drains in-flight requests and closes the store cleanly.

#include <fmt/format.h>

#include <atomic>
#include <charconv>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <mutex>
#include <thread>

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

void RegisterEventMetrics(http::Metrics& metrics, events::Ingestor& ingestor) {
  const events::IngestCounters& c = ingestor.counters();
  auto counter = [&metrics](std::string_view name, std::string_view help,
                            const std::atomic<int64_t>& value) {
    metrics.CounterFunc(name, help, [&value] { return static_cast<double>(value.load()); });
  };
  counter("banyan_events_requests_total", "ingestion requests received", c.requests);
  counter("banyan_events_stored_total", "events made durable", c.events_stored);
  counter("banyan_events_duplicates_total", "events acknowledged as duplicates",
          c.events_duplicate);
  counter("banyan_events_invalid_requests_total", "ingestion requests refused as invalid",
          c.requests_invalid);
  counter("banyan_events_throttled_requests_total", "ingestion requests answered 429",
          c.requests_throttled);
  counter("banyan_events_c3_removed_total", "C3 properties stripped before storage", c.c3_removed);
  counter("banyan_events_plan_rejected_total", "events dropped by the tracking plan",
          c.events_rejected_by_plan);
  counter("banyan_events_plan_flagged_total", "events stored with plan violations",
          ingestor.plan_counters().events_flagged);
  metrics.Gauge("banyan_event_log_bytes", "bytes in the event log",
                [&ingestor] { return static_cast<double>(ingestor.log().Stats().bytes); });
  metrics.Gauge("banyan_event_log_records", "records in the event log",
                [&ingestor] { return static_cast<double>(ingestor.log().Stats().records); });
  metrics.Gauge("banyan_events_dedup_entries", "message ids remembered for dedup",
                [&ingestor] { return static_cast<double>(ingestor.dedup_stats().entries); });
}

// Runs `task` every `interval` until stopped (retention and dedup expiry; the customer flush).
class Periodic {
 public:
  Periodic(std::chrono::milliseconds interval, std::function<void()> task)
      : task_(std::move(task)), thread_([this, interval] {
          std::unique_lock lock(mutex_);
          while (!changed_.wait_for(lock, interval, [this] { return stopping_; })) {
            lock.unlock();
            task_();
            lock.lock();
          }
        }) {}
  ~Periodic() { Stop(); }
  void Stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::function<void()> task_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after the members it uses
};

void RegisterCustomerMetrics(http::Metrics& metrics, customer::CustomerService& customers) {
  const customer::CustomerCounters& c = customers.counters();
  auto counter = [&metrics](std::string_view name, std::string_view help,
                            const std::atomic<int64_t>& value) {
    metrics.CounterFunc(name, help, [&value] { return static_cast<double>(value.load()); });
  };
  counter("banyan_customers_events_applied_total", "events resolved to a OneID", c.events_applied);
  counter("banyan_customers_events_anonymous_total", "events with no usable identifier",
          c.events_anonymous);
  counter("banyan_customers_identifiers_skipped_total",
          "identifiers of an unknown type or with a value that does not normalise",
          c.identifiers_skipped);
  counter("banyan_customers_profile_updates_total", "profile attributes changed by events",
          c.profile_updates);
  counter("banyan_customers_consents_recorded_total", "consent facts recorded from events",
          c.consents_recorded);
  counter("banyan_customers_consents_invalid_total", "malformed $consent events ignored",
          c.consents_invalid);
  counter("banyan_customers_flush_failures_total", "failed writes of customer changes",
          c.flush_failures);
  metrics.Gauge("banyan_customers_persons", "persons (OneIDs and merged persons) in memory",
                [&customers] { return static_cast<double>(customers.graph().Stats().persons); });
  metrics.Gauge(
      "banyan_customers_identity_memory_bytes", "memory held by the identity graph",
      [&customers] { return static_cast<double>(customers.graph().Stats().memory_bytes); });
  metrics.Gauge("banyan_customers_timeline_memory_bytes", "memory held by the timeline index",
                [&customers] { return static_cast<double>(customers.TimelineMemoryBytes()); });
}

void RegisterEngineMetrics(http::Metrics& metrics, const customer::EngineFeed& feed) {
  const customer::EngineFeedCounters& c = feed.counters();
  auto counter = [&metrics](std::string_view name, std::string_view help,
                            const std::atomic<int64_t>& value) {
    metrics.CounterFunc(name, help, [&value] { return static_cast<double>(value.load()); });
  };
  counter("banyan_engine_queue_full_total",
          "events queued for the engine while its queue was over its bound (ingestion backs off)",
          c.queue_full);
  counter("banyan_engine_events_dropped_total",
          "events not queued for the engine: its queue was full (rebuilt at the next start)",
          c.events_dropped);
  counter("banyan_engine_events_rejected_total", "events the engine refused (time out of range)",
          c.events_rejected);
  counter("banyan_engine_properties_skipped_total",
          "event properties the engine cannot hold (nested, null, long strings)",
          c.properties_skipped);
  counter("banyan_engine_attributes_skipped_total", "attribute changes the engine did not take",
          c.attributes_skipped);
  counter("banyan_engine_batches_total", "batches applied to the engine", c.batches);
  counter("banyan_engine_apply_failures_total", "batches the engine refused", c.apply_failures);
  // One snapshot read per scrape: Memory() walks the chunks, a few microseconds per 65,536
  // customers.
  metrics.Gauge("banyan_engine_customers", "live customers in the engine", [&feed] {
    return static_cast<double>(feed.engine().snapshot()->live().Cardinality());
  });
  metrics.Gauge("banyan_engine_events", "events held by the engine",
                [&feed] { return static_cast<double>(feed.engine().snapshot()->Memory().events); });
  metrics.Gauge(
      "banyan_engine_memory_bytes", "bytes held by the engine's current snapshot",
      [&feed] { return static_cast<double>(feed.engine().snapshot()->Memory().total()); });
  metrics.Gauge("banyan_engine_apply_lag_seconds",
                "age of the oldest change not yet visible in the engine",
                [&feed] { return feed.ApplyLagSeconds(); });
}

void RegisterSegmentMetrics(http::Metrics& metrics, const segment::SegmentService& segments) {
  const segment::SegmentCounters& c = segments.counters();
  auto counter = [&metrics](std::string_view name, std::string_view help,
                            const std::atomic<int64_t>& value) {
    metrics.CounterFunc(name, help, [&value] { return static_cast<double>(value.load()); });
  };
  counter("banyan_segment_rounds_total", "live segment rounds (one per new engine version)",
          c.rounds);
  counter("banyan_segment_rechecks_total", "live segments re-checked on the changed customers",
          c.rechecks);
  counter("banyan_segment_full_evaluations_total",
          "live segments evaluated over every customer (new, or time windows expiring)",
          c.full_evaluations);
  counter("banyan_segment_skipped_total", "live segments a round's changes could not affect",
          c.skipped);
  counter("banyan_segment_transitions_total", "customers entering or leaving live segments",
          c.transitions);
  counter("banyan_segment_failures_total", "live segment evaluations that failed", c.failures);
  metrics.Gauge("banyan_segment_last_round_seconds", "duration of the last live segment round",
                [&c] { return static_cast<double>(c.last_round_micros.load()) / 1e6; });
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
  if (Status s = (*app)->OpenEvents(); !s.ok()) {
    if (s.code() == StatusCode::kDataLoss) {
      return Fail(DataLossError(s.message() + "\nrun `banyan events repair --data-dir " +
                                config->server.data_dir + "` to quarantine the damaged part"));
    }
    return Fail(s);
  }
  if (Status s = (*app)->OpenCustomers(/*engine=*/true); !s.ok()) return Fail(s);
  if (Status s = (*app)->OpenSegments(); !s.ok()) return Fail(s);
  if (Status s = (*app)->OpenMessaging(); !s.ok()) return Fail(s);
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
                    .slow_pool = &slow_pool,
                    .ingestor = &(*app)->ingestor(),
                    .customers = &(*app)->customers(),
                    .messaging = &(*app)->messaging(),
                    .segments = &(*app)->segments()};
  api::RegisterRoutes(router, deps);
  RegisterEventMetrics(metrics, (*app)->ingestor());
  RegisterCustomerMetrics(metrics, (*app)->customers());
  RegisterEngineMetrics(metrics, *(*app)->customers().engine_feed());
  RegisterSegmentMetrics(metrics, (*app)->segments());
  Periodic maintenance(std::chrono::seconds(config->events.maintenance_interval_s), [&app] {
    if (Status s = (*app)->ingestor().Maintain(); !s.ok()) {
      log::Error("events.maintenance_failed", {{"error", s.ToString()}});
    }
    // After an erasure, the erased customer's events in the log lose their personal data.
    if (auto scrubbed = (*app)->customers().ScrubErasedEvents(); !scrubbed.ok()) {
      log::Error("customers.scrub_failed", {{"error", scrubbed.status().ToString()}});
    }
  });
  Periodic flusher(std::chrono::milliseconds(config->customers.flush_interval_ms), [&app] {
    if (Status s = (*app)->customers().Flush(); !s.ok()) {
      log::Error("customers.flush_failed", {{"error", s.ToString()}});
    }
  });

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
  (*app)->messaging().Start();  // the dispatcher sends what a previous process left in flight
  ready = true;
  server.Run(/*handle_signals=*/true);
  ready = false;
  maintenance.Stop();
  flusher.Stop();
  (*app)->Close();
  log::Info("server.stopped");
  log::FlushLogging();
  return 0;
}

}  // namespace banyan::server
