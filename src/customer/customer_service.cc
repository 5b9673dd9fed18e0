// CustomerService: opening, replay, applying ingested events, and flushing to the store. Reads
// are in customer_reads.cc, administrative operations in customer_admin.cc.

#include "customer/customer_service.h"

#include <fmt/format.h>

#include "base/logging.h"
#include "customer/engine_records.h"
#include "customer/event_effects.h"
#include "events/event_codec.h"

namespace banyan::customer {

// Changes queued by OnDurable for the next Flush, besides the identity graph's own.
struct CustomerService::Pending {
  std::vector<profile::AttributeUpdate> updates;
  std::vector<PersonId> update_persons;  // update_persons[i] receives updates[i]
  std::vector<privacy::ConsentFact> consents;
  std::vector<PersonId> engine_dirty;  // survivors of merges: their engine attributes are re-read
  uint64_t next_sequence = 0;          // every event below this is in the graph and in these queues

  size_t size() const { return updates.size() + consents.size(); }
};

CustomerService::CustomerService(Deps deps, CustomerOptions options)
    : deps_(std::move(deps)),
      options_(options),
      timeline_(options.timeline_events_max),
      profiles_(*deps_.schema, deps_.keys, deps_.random, deps_.clock),
      balances_(deps_.keys, deps_.random, deps_.clock),
      consents_(deps_.clock),
      pending_(std::make_unique<Pending>()) {}

CustomerService::~CustomerService() = default;

Result<std::unique_ptr<CustomerService>> CustomerService::Open(Deps deps, CustomerOptions options) {
  std::unique_ptr<CustomerService> service(new CustomerService(std::move(deps), options));
  const Timestamp started = service->deps_.clock.Now();
  if (options.engine) {
    service->engine_feed_ = std::make_unique<EngineFeed>(
        EngineAttributeSpecs(*service->deps_.schema), service->deps_.clock, options.engine_feed);
    service->engine_feed_->SetBlocking(true);  // the rebuild may wait; OnDurable never does
  }
  RETURN_IF_ERROR(service->Replay());
  RETURN_IF_ERROR(service->Flush());
  if (options.engine) RETURN_IF_ERROR(service->RebuildEngine(started));
  return service;
}

// Indexes the whole log for timelines. Events below the checkpoint are already in the graph and
// only looked up; the rest are applied as if they had just arrived.
Status CustomerService::Replay() {
  const uint64_t checkpoint = deps_.graph->checkpoint();
  const Timestamp started = deps_.clock.Now();
  int64_t indexed = 0, replayed = 0;
  auto scanned = deps_.log.Scan(0, [&](uint64_t sequence, Timestamp, std::string_view record) {
    auto event = events::DecodeEvent(record);
    if (!event.ok()) return event.status();
    if (sequence >= checkpoint) {
      Apply(sequence, *event);
      ++replayed;
      return Status::Ok();
    }
    for (const auto& identifier : event->identifiers) {
      const auto roots = deps_.graph->Find(identifier.type, identifier.value);
      if (roots.ok() && roots->size() == 1) {
        timeline_.Add(roots->front(), sequence);
        ++indexed;
        if (engine_feed_) {
          int64_t skipped = 0;
          if (auto record = EngineEventOf(roots->front(), *event, &skipped)) {
            engine_feed_->AddEvent(std::move(*record), skipped);
          }
        }
        break;
      }
    }
    return Status::Ok();
  });
  if (!scanned.ok()) return scanned.status();
  {
    std::lock_guard lock(pending_mutex_);
    pending_->next_sequence = std::max(pending_->next_sequence, *scanned);
  }
  applied_through_ = *scanned;
  log::Info(
      "customers.replayed",
      {{"checkpoint", checkpoint},
       {"indexed", indexed},
       {"replayed", replayed},
       {"ms", std::chrono::duration_cast<std::chrono::milliseconds>(deps_.clock.Now() - started)
                  .count()}});
  return Status::Ok();
}

void CustomerService::OnDurable(events::SequenceRange range,
                                std::span<const events::Event> events) {
  for (size_t i = 0; i < events.size(); ++i) Apply(range.first + i, events[i]);
}

void CustomerService::Apply(uint64_t sequence, const events::Event& event) {
  std::unique_lock lock(pending_mutex_);
  pending_->next_sequence = std::max(pending_->next_sequence, sequence + 1);
  applied_through_ = pending_->next_sequence;
  counters_.events_applied.fetch_add(1, std::memory_order_relaxed);
  const identity::Evidence evidence{.source = "event",
                                    .event_sequence = sequence,
                                    .message_id = event.message_id,
                                    .at = event.event_time};
  auto resolved = deps_.graph->Resolve(event.identifiers, evidence);
  if (!resolved.ok() && resolved.status().code() == StatusCode::kResourceExhausted) {
    // The graph's queue is full: write it out here, on the writer thread, rather than lose the
    // link. Rare — Backpressure() turns ingestion away well before.
    lock.unlock();
    Status flushed = Flush();
    lock.lock();
    if (flushed.ok()) resolved = deps_.graph->Resolve(event.identifiers, evidence);
  }
  if (!resolved.ok()) {
    counters_.events_anonymous.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  counters_.identifiers_skipped.fetch_add(resolved->skipped_identifiers, std::memory_order_relaxed);
  const PersonId person = resolved->person;
  timeline_.Add(person, sequence);
  if (engine_feed_ && FeedEngineLocked(event, *resolved)) {
    pending_->engine_dirty.push_back(person);
  }
  for (auto& update : ProfileUpdatesOf(event)) {
    pending_->updates.push_back(std::move(update));
    pending_->update_persons.push_back(person);
  }
  auto consent = ConsentOf(event);
  if (!consent.ok()) {
    counters_.consents_invalid.fetch_add(1, std::memory_order_relaxed);
  } else if (*consent) {
    (*consent)->person_id = person;
    pending_->consents.push_back(std::move(**consent));
  }
  pending_size_.store(pending_->size() + deps_.graph->PendingChanges(), std::memory_order_relaxed);
}

bool CustomerService::Backpressure() const {
  return pending_size_.load(std::memory_order_relaxed) > kPendingUpdatesMax ||
         (engine_feed_ && engine_feed_->Backpressure());
}

Status CustomerService::Flush() {
  std::lock_guard admin(admin_mutex_);
  return FlushLocked();
}

// Writes the queued profile updates and consents with the graph's pending changes and the
// checkpoint in one transaction; on failure they stay queued (ahead of newer ones). The graph may
// write changes of events newer than the checkpoint: its writes are idempotent, and a replay from
// the checkpoint re-resolves those events to the same persons and queues their updates again,
// which were not written — so every update is applied exactly once.
Status CustomerService::FlushLocked() {
  std::unique_ptr<Pending> taken;
  {
    std::lock_guard lock(pending_mutex_);
    taken = std::exchange(pending_, std::make_unique<Pending>());
    pending_->next_sequence = taken->next_sequence;
  }
  if (taken->size() == 0 && taken->engine_dirty.empty() && deps_.graph->PendingChanges() == 0 &&
      taken->next_sequence == checkpoint_written_) {
    return Status::Ok();
  }
  profile::ApplyReport report;
  int64_t consents_written = 0;
  EngineChanges engine_changes;
  Status written = deps_.db.Write([&](store::Transaction& tx) -> Status {
    report = {};
    consents_written = 0;
    engine_changes = {};
    RETURN_IF_ERROR(deps_.graph->Flush(tx, taken->next_sequence));
    for (size_t begin = 0; begin < taken->updates.size();) {
      size_t end = begin;
      while (end < taken->updates.size() &&
             taken->update_persons[end] == taken->update_persons[begin] &&
             end - begin < profile::kUpdatesPerApplyMax) {
        ++end;
      }
      // A person erased since its event arrived takes nothing more.
      if (deps_.graph->Root(taken->update_persons[begin])) {
        RETURN_IF_ERROR(profiles_.Apply(tx, taken->update_persons[begin],
                                        std::span(taken->updates).subspan(begin, end - begin),
                                        &report));
      }
      begin = end;
    }
    for (auto& fact : taken->consents) {
      if (!deps_.graph->Root(fact.person_id)) continue;
      RETURN_IF_ERROR(consents_.Record(tx, fact));
      ++consents_written;
    }
    if (!engine_feed_) return Status::Ok();
    // What the engine holds of every customer this flush changed, as now written.
    std::vector<PersonId> changed = taken->update_persons;
    for (const auto& fact : taken->consents) changed.push_back(fact.person_id);
    changed.insert(changed.end(), taken->engine_dirty.begin(), taken->engine_dirty.end());
    return CollectEngineAttributes(tx, changed, &engine_changes);
  });
  if (!written.ok()) {
    deps_.graph->FlushAborted();
    counters_.flush_failures.fetch_add(1, std::memory_order_relaxed);
    std::lock_guard lock(pending_mutex_);
    // Put the taken changes before those queued since, keeping log order.
    taken->updates.insert(taken->updates.end(), std::make_move_iterator(pending_->updates.begin()),
                          std::make_move_iterator(pending_->updates.end()));
    taken->update_persons.insert(taken->update_persons.end(), pending_->update_persons.begin(),
                                 pending_->update_persons.end());
    taken->consents.insert(taken->consents.end(),
                           std::make_move_iterator(pending_->consents.begin()),
                           std::make_move_iterator(pending_->consents.end()));
    taken->engine_dirty.insert(taken->engine_dirty.end(), pending_->engine_dirty.begin(),
                               pending_->engine_dirty.end());
    taken->next_sequence = pending_->next_sequence;
    pending_ = std::move(taken);
    return written;
  }
  if (engine_feed_) {
    for (const auto& merge : engine_changes.merges) engine_feed_->AddMerge(merge);
    engine_feed_->AddAttributes(std::move(engine_changes.changes), std::move(engine_changes.specs));
  }
  deps_.graph->FlushCommitted();
  checkpoint_written_ = taken->next_sequence;
  counters_.flushes.fetch_add(1, std::memory_order_relaxed);
  counters_.profile_updates.fetch_add(report.applied, std::memory_order_relaxed);
  counters_.consents_recorded.fetch_add(consents_written, std::memory_order_relaxed);
  return Status::Ok();
}

}  // namespace banyan::customer
