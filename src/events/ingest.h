// Ingestor: the path from a decoded request to a durable, deduplicated event — shared by the
// Segment and Sensors endpoints and by `banyan import events`.
//
//   decode (per-thread decoder) → C3 already stripped → tracking plan (store / flag / reject)
//   → dedup reservation per (write key, message id) → encode → EventLog::Append
//   → on fsync: commit the reservation, call `done` with the counts
//
// Nothing is acknowledged before it is on disk. Duplicates of accepted events are acknowledged
// and not stored again; an id still being written by another request makes the whole request
// ResourceExhausted (the SDK retries it), because that other write may yet fail. Events the
// tracking plan rejects are dropped and counted; the rest of the request is stored.
// At start, Open rebuilds the dedup window by scanning the log.
//
// Thread safety: every method is safe from any thread; `done` runs on the log's writer thread
// and must not block.

#ifndef BANYAN_EVENTS_INGEST_H_
#define BANYAN_EVENTS_INGEST_H_

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/random.h"
#include "base/result.h"
#include "events/c3_filter.h"
#include "events/dedup.h"
#include "events/event.h"
#include "events/event_log.h"
#include "events/normalize.h"
#include "events/segment_protocol.h"
#include "events/tracking_plan.h"

namespace banyan::events {

inline constexpr size_t kRecentViolationsMax = 100;

// Receives every newly stored event once it is durable, in log-sequence order, before the
// request that carried it is acknowledged — so an identify call's identity links are visible to
// the caller's next request. Called on the log's writer thread: must be quick and must not block
// (OneID resolution and the queueing of profile updates run here).
class DurableEventSink {
 public:
  virtual ~DurableEventSink() = default;
  // `events[i]` has sequence range.first + i.
  virtual void OnDurable(SequenceRange range, std::span<const Event> events) = 0;
};

struct IngestOptions {
  MessageIdDedupOptions dedup{};
  TrackingPlan plan{};               // empty: nothing planned
  DurableEventSink* sink = nullptr;  // none: events are only logged; must outlive the Ingestor
};

struct IngestReport {
  int64_t received = 0;    // events in the request
  int64_t stored = 0;      // new events now durable
  int64_t duplicates = 0;  // already accepted before; acknowledged, not stored again
  int64_t rejected = 0;    // dropped by the tracking plan
  int64_t flagged = 0;     // stored with their plan violations recorded in context
  SequenceRange range;
};

struct IngestCounters {
  std::atomic<int64_t> requests{0};
  std::atomic<int64_t> events_stored{0};
  std::atomic<int64_t> events_duplicate{0};
  std::atomic<int64_t> events_rejected_by_plan{0};
  std::atomic<int64_t> requests_invalid{0};
  std::atomic<int64_t> requests_throttled{0};
  std::atomic<int64_t> c3_removed{0};
};

class Ingestor {
 public:
  using Done = std::function<void(Result<IngestReport>)>;

  // Rebuilds the dedup window from `log` (which must outlive the Ingestor).
  static Result<std::unique_ptr<Ingestor>> Open(IngestOptions options, EventLog& log,
                                                const Clock& clock, Random& random);

  // Decodes a Segment request (the body's "writeKey", if any, is in the result for the caller
  // to authenticate). Errors are InvalidArgument or TooLarge naming the field.
  Result<DecodedEvents> DecodeSegment(std::string_view body, SegmentCall call);
  // Decodes a Sensors Data request (form body and/or query string).
  Result<DecodedEvents> DecodeSensors(std::string_view body, std::string_view query);

  // Stores `events` for the write key `source` (its id, never the secret). An error is returned
  // at once (and `done` is not called): ResourceExhausted when the log's queue is full or a
  // message id is still being written by another request, Unavailable when the log has failed.
  // Otherwise `done` is called exactly once, after the events are durable or the write failed.
  Status Store(std::vector<Event> events, const std::string& source, Done done);

  // Sets the sink (see IngestOptions::sink). REQUIRES: no Store is running — call at start-up,
  // after replaying the log into the sink.
  void SetSink(DurableEventSink* sink) { options_.sink = sink; }

  // Forgets message ids older than the dedup window and applies the log's retention.
  Status Maintain();

  const IngestCounters& counters() const { return counters_; }
  const TrackingPlanCounters& plan_counters() const { return plan_counters_; }
  MessageIdDedupStats dedup_stats() const { return dedup_.Stats(); }
  // The most recent plan violations, newest first (at most kRecentViolationsMax).
  std::vector<Violation> RecentViolations() const;
  const TrackingPlan& plan() const { return options_.plan; }
  EventLog& log() { return log_; }

 private:
  Ingestor(IngestOptions options, EventLog& log, const Clock& clock, Random& random);
  Status Rebuild();
  void ApplyPlan(std::vector<Event>& events, IngestReport& report);
  void RememberViolations(const std::vector<Violation>& violations);

  IngestOptions options_;
  EventLog& log_;
  const Clock& clock_;
  MessageIdDedup dedup_;
  IngestCounters counters_;
  TrackingPlanCounters plan_counters_;
  mutable std::mutex violations_mutex_;
  std::deque<Violation> recent_violations_;  // guarded by violations_mutex_
};

}  // namespace banyan::events

#endif  // BANYAN_EVENTS_INGEST_H_
