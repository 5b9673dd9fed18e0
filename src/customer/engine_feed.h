// EngineFeed: keeps one engine::Engine current with the customer service's changes — events,
// attribute changes, OneID merges and erasures — without ever making their producers wait for it.
//
// Producers (the event log's writer thread through CustomerService::OnDurable, the flusher, the
// admin operations) add records to one bounded queue; one engine writer thread takes the whole
// queue every `batch_interval` (or as soon as `batch_events_max` events wait) and applies it with
// one Engine::Apply. While more than `queue_events_soft_max` events wait, Backpressure() is true
// (ingestion answers 429, counted in queue_full); an event arriving with `queue_events_max`
// already waiting is not queued and is counted in events_dropped — the engine then lacks it
// until the next restart rebuilds from the log, which the log says (engine.events_dropped).
// Attribute changes, merges and erasures are never dropped.
//
// An erasure is applied after the other records of its batch, and every later record addressed
// to one of the erased persons is discarded, so an event resolved just before the erasure cannot
// bring the customer back.
//
// Thread safety: the Add* methods, WaitIdle, Backpressure, counters and ApplyLagSeconds from any
// thread. Readers use engine().snapshot() only (Engine::Find is the writer's).

#ifndef BANYAN_CUSTOMER_ENGINE_FEED_H_
#define BANYAN_CUSTOMER_ENGINE_FEED_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "base/clock.h"
#include "engine/engine.h"

namespace banyan::customer {

struct EngineFeedOptions {
  std::chrono::milliseconds batch_interval{100};
  size_t batch_events_max = 50'000;
  size_t queue_events_soft_max = 200'000;  // above: Backpressure()
  size_t queue_events_max = 1'000'000;     // at it: events are dropped (and counted)
};

struct EngineFeedCounters {
  std::atomic<int64_t> batches{0};
  std::atomic<int64_t> events_applied{0};
  std::atomic<int64_t> events_rejected{0};     // the engine refused (time outside its window)
  std::atomic<int64_t> events_dropped{0};      // the queue was at queue_events_max
  std::atomic<int64_t> properties_skipped{0};  // not holdable (engine_records.h) or too long
  std::atomic<int64_t> attribute_changes{0};
  std::atomic<int64_t> attributes_skipped{0};  // unknown attribute or a value that did not fit
  std::atomic<int64_t> merges{0};
  std::atomic<int64_t> erasures{0};
  std::atomic<int64_t> queue_full{0};  // events added while over the soft bound
  std::atomic<int64_t> apply_failures{0};
};

class EngineFeed {
 public:
  // Starts the writer thread over an engine with `attributes`.
  EngineFeed(std::vector<engine::AttributeSpec> attributes, const Clock& clock,
             EngineFeedOptions options = {});
  // Stops the writer; what is still queued is not applied (the engine lives in memory only).
  ~EngineFeed();
  EngineFeed(const EngineFeed&) = delete;
  EngineFeed& operator=(const EngineFeed&) = delete;

  // While blocking (the start-up rebuild), Add* wait for room instead of dropping.
  void SetBlocking(bool blocking);
  // `skipped_properties`: properties the caller could not convert (counted).
  void AddEvent(engine::EventRecord event, int64_t skipped_properties = 0);
  // `specs`: columns the changes may need that the engine may not have yet (consent, a custom
  // attribute added since start); those already held are ignored.
  void AddAttributes(std::vector<engine::AttributeChange> changes,
                     std::vector<engine::AttributeSpec> specs = {});
  void AddMerge(engine::MergeRecord merge);
  void AddErasure(std::vector<engine::PersonId> members);
  // Waits until everything added before the call is applied.
  void WaitIdle();
  // Drops spare sequence capacity after a bulk load (writer thread, between batches).
  void Compact();

  bool Backpressure() const;
  // Age of the oldest record not yet published in a snapshot; 0 when none waits.
  double ApplyLagSeconds() const;
  const engine::Engine& engine() const { return engine_; }
  const EngineFeedCounters& counters() const { return counters_; }

 private:
  struct Queue {
    engine::Batch batch;
    std::vector<engine::AttributeSpec> specs;
    std::vector<engine::PersonId> erased;
    Timestamp oldest{};
    bool empty() const {
      return batch.events.empty() && batch.attributes.empty() && batch.merges.empty() &&
             batch.erasures.empty();
    }
  };
  void Run();
  void NoteAddedLocked();
  void WaitForRoomLocked(std::unique_lock<std::mutex>& lock);
  void ApplyTaken(Queue& taken);
  void Filter(Queue& taken);

  const Clock& clock_;
  const EngineFeedOptions options_;
  engine::Engine engine_;
  EngineFeedCounters counters_;
  // Writer thread only.
  std::unordered_set<std::string> attribute_names_;
  std::unordered_set<engine::PersonId> erased_;

  mutable std::mutex mutex_;          // guards everything below
  std::condition_variable wake_;      // the writer: work, WaitIdle or stop
  std::condition_variable progress_;  // producers: room, or a batch applied
  Queue queue_;
  uint64_t added_ = 0;    // Add* calls so far
  uint64_t applied_ = 0;  // of those, applied (or discarded)
  uint64_t wanted_ = 0;   // WaitIdle wants `applied_` to reach this
  bool blocking_ = false;
  bool compact_ = false;
  bool stop_ = false;
  Timestamp applying_oldest_{};  // of the batch being applied; epoch when none
  std::thread writer_;           // last: starts after the members it uses
};

}  // namespace banyan::customer

#endif  // BANYAN_CUSTOMER_ENGINE_FEED_H_
