// Engine: the in-memory analytic state of every customer — attribute columns with their bitmap
// and range indexes, and each customer's events as one time-ordered sequence — kept current by
// one writer and read through immutable snapshots. See docs/engine.md.
//
// Every OneID root gets a dense CustomerIndex the first time the engine hears of it. A batch
// (Apply) carries new attribute definitions, attribute changes, events (already resolved to
// their OneID), merges and erasures, applied in that order; a merge re-homes the absorbed
// customer's events and attributes to the survivor and tombstones the absorbed index, and later
// data for the absorbed person goes to the survivor. An erasure (PIPL) drops the customer's
// events and attributes and tombstones its index. A batch is all or nothing: on error nothing of
// it is visible.
//
// The segment evaluator reads snapshot() with the primitives of query.h; the customer service
// feeds Apply from the event log and the profile store (customer/engine_feed.h).
//
// Thread safety: Apply, Compact and Find are for one writer thread; snapshot() may be called
// from any thread and only copies a shared_ptr under a mutex, so readers never wait for a batch
// and a batch waits for readers only for that copy.

#ifndef BANYAN_ENGINE_ENGINE_H_
#define BANYAN_ENGINE_ENGINE_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "engine/snapshot.h"
#include "engine/types.h"

namespace banyan::engine {

struct EventRecord {
  PersonId person = 0;       // the OneID root the event resolved to
  int64_t time_seconds = 0;  // Unix seconds; kEpochBaseSeconds..kEventTimeSecondsMax
  std::string type;          // the event name ("view_product")
  uint8_t channel = 0;       // events::Channel
  std::vector<EventProperty> properties;
};

struct AttributeChange {
  PersonId person = 0;
  std::string attribute;
  AttributeValue value;  // monostate unsets
};

struct MergeRecord {
  PersonId survivor = 0;
  PersonId absorbed = 0;
};

struct Batch {
  std::vector<AttributeSpec> new_attributes;
  std::vector<AttributeChange> attributes;
  std::vector<EventRecord> events;
  std::vector<MergeRecord> merges;
  // Customers to forget (PIPL erasure), after following merges: events, attributes and index
  // go. Data for the person in a later batch would make it a new customer; callers stop sending.
  std::vector<PersonId> erasures;
};

struct ApplyReport {
  size_t customers_added = 0;
  size_t events_applied = 0;
  size_t events_rejected = 0;     // time outside the 4-byte window (types.h)
  size_t properties_dropped = 0;  // over kEventPropertyBytesMax for their event
  size_t attribute_changes = 0;
  size_t merges = 0;
  size_t erasures = 0;  // erasures of a customer the engine held
};

// What published versions changed, for readers that keep derived state current (live segments
// re-check only these customers, and only conditions on these attributes and event types).
struct ChangeSet {
  uint64_t from_version = 0;  // changes after this version ...
  uint64_t to_version = 0;    // ... up to and including this one
  Bitmap customers;           // written attributes or events, merge survivors and absorbed, erased
  std::vector<uint32_t> attributes;   // attribute ids written (sorted, unique)
  std::vector<uint32_t> event_types;  // event type ids appended (sorted, unique)
  bool merges_or_erasures = false;
};

// Versions whose changes ChangesSince can still answer for.
inline constexpr size_t kChangeLogVersionsMax = 4096;

class Engine {
 public:
  explicit Engine(std::vector<AttributeSpec> attributes = {});
  // Resumes from a loaded state (snapshot_file.h).
  explicit Engine(std::shared_ptr<const Snapshot> state);
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Applies `batch` and publishes the result. InvalidArgument (unknown attribute, a value of
  // the wrong kind, a duplicate attribute name) or TooLarge (a limit) leave the state as it was.
  Result<ApplyReport> Apply(const Batch& batch);
  // Drops the spare capacity of every event sequence (after a bulk load) and publishes.
  void Compact();

  // The latest published state. Any thread.
  std::shared_ptr<const Snapshot> snapshot() const;

  // The union of the changes published after `version` up to the latest snapshot, or nullopt
  // when they are no longer kept (more than kChangeLogVersionsMax versions ago): the caller then
  // treats everything as changed. Any thread.
  std::optional<ChangeSet> ChangesSince(uint64_t version) const;

  // Writer thread: the index of `person` (following merges), or nullopt.
  std::optional<CustomerIndex> Find(PersonId person) const;
  // Bytes of the writer's own maps (person -> index, merge redirects).
  size_t WriterMemoryBytes() const;

 private:
  class BatchApplier;
  PersonId FollowMerges(PersonId person) const;
  void Publish(std::shared_ptr<const Snapshot> next, ChangeSet change = {});

  mutable std::mutex published_mutex_;
  std::shared_ptr<const Snapshot> published_;
  std::deque<ChangeSet> change_log_;  // one per published version, oldest first
  std::unordered_map<PersonId, CustomerIndex> index_of_;
  std::unordered_map<PersonId, PersonId> merged_into_;  // absorbed -> survivor
};

}  // namespace banyan::engine

#endif  // BANYAN_ENGINE_ENGINE_H_
