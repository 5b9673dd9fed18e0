#include "customer/engine_feed.h"

#include <algorithm>

#include "base/logging.h"

namespace banyan::customer {

EngineFeed::EngineFeed(std::vector<engine::AttributeSpec> attributes, const Clock& clock,
                       EngineFeedOptions options)
    : clock_(clock), options_(options), engine_(attributes) {
  for (const auto& spec : attributes) attribute_names_.insert(spec.name);
  writer_ = std::thread([this] { Run(); });
}

EngineFeed::~EngineFeed() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  writer_.join();
}

void EngineFeed::SetBlocking(bool blocking) {
  std::lock_guard lock(mutex_);
  blocking_ = blocking;
}

// REQUIRES: mutex_ held, a record just added.
void EngineFeed::NoteAddedLocked() {
  if (queue_.oldest == Timestamp{}) queue_.oldest = clock_.Now();
  ++added_;
  if (queue_.batch.events.size() >= options_.batch_events_max) wake_.notify_one();
}

void EngineFeed::WaitForRoomLocked(std::unique_lock<std::mutex>& lock) {
  progress_.wait(
      lock, [&] { return stop_ || queue_.batch.events.size() < options_.queue_events_soft_max; });
}

void EngineFeed::AddEvent(engine::EventRecord event, int64_t skipped_properties) {
  counters_.properties_skipped.fetch_add(skipped_properties, std::memory_order_relaxed);
  std::unique_lock lock(mutex_);
  if (blocking_) WaitForRoomLocked(lock);
  const size_t waiting = queue_.batch.events.size();
  if (waiting >= options_.queue_events_max) {
    if (counters_.events_dropped.fetch_add(1, std::memory_order_relaxed) == 0) {
      log::Error("engine.events_dropped",
                 {{"queued", static_cast<int64_t>(waiting)},
                  {"note", "the engine lacks events until the next restart rebuilds it"}});
    }
    return;
  }
  if (waiting >= options_.queue_events_soft_max) {
    counters_.queue_full.fetch_add(1, std::memory_order_relaxed);
  }
  queue_.batch.events.push_back(std::move(event));
  NoteAddedLocked();
}

void EngineFeed::AddAttributes(std::vector<engine::AttributeChange> changes,
                               std::vector<engine::AttributeSpec> specs) {
  if (changes.empty() && specs.empty()) return;
  std::unique_lock lock(mutex_);
  if (blocking_) WaitForRoomLocked(lock);
  auto& queued = queue_.batch.attributes;
  queued.insert(queued.end(), std::make_move_iterator(changes.begin()),
                std::make_move_iterator(changes.end()));
  queue_.specs.insert(queue_.specs.end(), std::make_move_iterator(specs.begin()),
                      std::make_move_iterator(specs.end()));
  NoteAddedLocked();
}

void EngineFeed::AddMerge(engine::MergeRecord merge) {
  std::lock_guard lock(mutex_);
  queue_.batch.merges.push_back(merge);
  NoteAddedLocked();
}

void EngineFeed::AddErasure(std::vector<engine::PersonId> members) {
  std::lock_guard lock(mutex_);
  queue_.batch.erasures.insert(queue_.batch.erasures.end(), members.begin(), members.end());
  NoteAddedLocked();
}

void EngineFeed::WaitIdle() {
  std::unique_lock lock(mutex_);
  const uint64_t target = added_;
  wanted_ = std::max(wanted_, target);
  wake_.notify_one();
  progress_.wait(lock, [&] { return stop_ || applied_ >= target; });
}

void EngineFeed::Compact() {
  std::unique_lock lock(mutex_);
  compact_ = true;
  const uint64_t target = ++added_;
  wanted_ = std::max(wanted_, target);
  wake_.notify_one();
  progress_.wait(lock, [&] { return stop_ || applied_ >= target; });
}

bool EngineFeed::Backpressure() const {
  std::lock_guard lock(mutex_);
  return queue_.batch.events.size() > options_.queue_events_soft_max;
}

double EngineFeed::ApplyLagSeconds() const {
  std::lock_guard lock(mutex_);
  Timestamp oldest = applying_oldest_;
  if (oldest == Timestamp{}) oldest = queue_.oldest;
  if (oldest == Timestamp{}) return 0;
  return std::chrono::duration<double>(clock_.Now() - oldest).count();
}

void EngineFeed::Run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait_for(lock, options_.batch_interval, [&] {
      return stop_ || wanted_ > applied_ || queue_.batch.events.size() >= options_.batch_events_max;
    });
    if (stop_) return;
    Queue taken = std::exchange(queue_, Queue{});
    const uint64_t through = added_;
    const bool compact = std::exchange(compact_, false);
    applying_oldest_ = taken.oldest;
    progress_.notify_all();  // room for blocked producers
    lock.unlock();
    if (!taken.empty()) ApplyTaken(taken);
    if (compact) engine_.Compact();
    lock.lock();
    applying_oldest_ = Timestamp{};
    applied_ = through;
    progress_.notify_all();
  }
}

// Drops records addressed to erased persons and attribute changes of columns the engine does
// not have and nobody declared; adds the declared columns it lacks.
void EngineFeed::Filter(Queue& taken) {
  engine::Batch& batch = taken.batch;
  for (const auto& spec : taken.specs) {
    if (attribute_names_.insert(spec.name).second) batch.new_attributes.push_back(spec);
  }
  const size_t attributes_before = batch.attributes.size();
  std::erase_if(batch.attributes, [&](const engine::AttributeChange& change) {
    return erased_.contains(change.person) || !attribute_names_.contains(change.attribute);
  });
  counters_.attributes_skipped.fetch_add(
      static_cast<int64_t>(attributes_before - batch.attributes.size()), std::memory_order_relaxed);
  if (!erased_.empty()) {
    std::erase_if(batch.events,
                  [&](const engine::EventRecord& event) { return erased_.contains(event.person); });
    std::erase_if(batch.merges, [&](const engine::MergeRecord& merge) {
      return erased_.contains(merge.survivor) || erased_.contains(merge.absorbed);
    });
  }
  erased_.insert(batch.erasures.begin(), batch.erasures.end());
}

void EngineFeed::ApplyTaken(Queue& taken) {
  Filter(taken);
  engine::Batch& batch = taken.batch;
  Result<engine::ApplyReport> report = engine_.Apply(batch);
  if (!report.ok()) {
    // Keep what cannot be wrong on our side — events, merges, erasures — and lose the changes.
    counters_.apply_failures.fetch_add(1, std::memory_order_relaxed);
    counters_.attributes_skipped.fetch_add(static_cast<int64_t>(batch.attributes.size()),
                                           std::memory_order_relaxed);
    log::Error("engine.apply_failed",
               {{"error", report.status().ToString()},
                {"attribute_changes", static_cast<int64_t>(batch.attributes.size())}});
    batch.attributes.clear();
    report = engine_.Apply(batch);
    if (!report.ok()) {
      log::Error("engine.apply_failed", {{"error", report.status().ToString()},
                                         {"events", static_cast<int64_t>(batch.events.size())}});
      return;
    }
  }
  counters_.batches.fetch_add(1, std::memory_order_relaxed);
  counters_.events_applied.fetch_add(static_cast<int64_t>(report->events_applied),
                                     std::memory_order_relaxed);
  counters_.events_rejected.fetch_add(static_cast<int64_t>(report->events_rejected),
                                      std::memory_order_relaxed);
  counters_.properties_skipped.fetch_add(static_cast<int64_t>(report->properties_dropped),
                                         std::memory_order_relaxed);
  counters_.attribute_changes.fetch_add(static_cast<int64_t>(report->attribute_changes),
                                        std::memory_order_relaxed);
  counters_.merges.fetch_add(static_cast<int64_t>(report->merges), std::memory_order_relaxed);
  counters_.erasures.fetch_add(static_cast<int64_t>(report->erasures), std::memory_order_relaxed);
}

}  // namespace banyan::customer
