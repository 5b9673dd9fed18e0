// IdentityGraph: OneID. Joins the identifiers one customer arrives with — app device, WeChat
// openid, phone typed into a form, core-banking customer number — into one person, without ever
// merging two different real people. The rules are in docs/identity.md; in short:
//
//   * identifiers on one call that are not yet known join the person the call resolves to; a
//     call with none known creates a person;
//   * known identifiers of two or more persons merge them — unless the union would hold two
//     values of a one-per-person type (cust_no, id_card): then nothing merges, a conflict is
//     recorded for review, and the call resolves to the person of its strongest identifier;
//   * weak identifiers (strength < kStrongStrengthMin: device_id, anonymous_id) link persons only
//     when at most one of them is identified; a shared device_id then belongs to each, and a call
//     bearing only it resolves to its most recent user;
//   * the survivor of a merge holds a one-per-person identifier, else the strongest identifier,
//     else is the older person; the absorbed person points at it and keeps its identifiers, so an
//     unmerge is exact.
//
// State lives in memory without clear values (keyed hashes only): about 20 bytes per person and
// 40 per identifier (MemoryBytes()). Every change is also queued as a pending change and written
// by Flush() in the caller's transaction; the queue is bounded (kPendingChangesMax).
//
// Flush protocol: Flush(tx, next_sequence) writes every pending change and the checkpoint in
// `tx` and keeps them queued; after the transaction commits call FlushCommitted(), after it
// fails FlushAborted() (the changes stay queued for the next try). Writes are idempotent (see
// internal/pending.h), so writing a change twice is harmless; this is what lets Unmerge,
// ResolveConflict and WriteErase flush the queue in their own transactions at any time.
//
// Threads: Resolve is called by one writer thread; reads (Root, Find, Members, Stats, ...) may
// come from any thread at the same time (a reader-writer lock that lets the writer in first;
// Resolve holds it exclusively for a few microseconds at most). Flush, the admin operations and
// erasure may be called from any thread. Lock order: the store's write lock, then the graph's
// flush mutex, then its reader-writer lock; the graph never waits for the store while holding
// its own locks, so Resolve and the reads may be called inside a store transaction too (Unmerge
// and ResolveConflict open their own, so not they).

#ifndef BANYAN_IDENTITY_GRAPH_H_
#define BANYAN_IDENTITY_GRAPH_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>  // std::shared_lock
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <vector>

#include "base/clock.h"
#include "base/random.h"
#include "base/result.h"
#include "events/event.h"
#include "identity/identifier_types.h"
#include "identity/internal/identifier_index.h"
#include "identity/internal/pending.h"
#include "identity/internal/person_forest.h"
#include "identity/internal/rw_lock.h"
#include "privacy/keyed_hash.h"
#include "privacy/keyring.h"
#include "privacy/person_keys.h"
#include "store/database.h"

namespace banyan::identity {

using PersonId = int64_t;

// Changes held in memory before Resolve refuses more (ResourceExhausted) until a flush.
inline constexpr size_t kPendingChangesMax = 1 << 18;
// A shared identifier value (a kiosk's device_id) takes at most this many holders; later persons
// seen with it do not become holders (it still resolves to its most recent holder).
inline constexpr size_t kSharedHoldersMax = 64;
// last_seen_at of an identifier is written when it moves into a new hour (or, for a shared
// identifier, when its most recent holder changes), not on every event.
inline constexpr int64_t kLastSeenWriteIntervalSeconds = 3600;
inline constexpr int64_t kConflictsPageMax = 500;
inline constexpr size_t kEvidenceMessageIdBytesMax = 200;

// What linked identifiers, recorded with every merge and conflict.
struct Evidence {
  std::string source = "event";  // "event", "import", "api"
  uint64_t event_sequence = 0;
  std::string message_id;
  Timestamp at{};  // when it happened (event time): first/last seen, created_at
};

struct ResolveResult {
  PersonId person = 0;   // the current root the call resolved to
  bool created = false;  // `person` was created by this call
  std::vector<int64_t> merge_ids;
  std::vector<int64_t> conflict_ids;
  int skipped_identifiers = 0;  // unknown type, malformed value, or a second value of a
                                // one-per-person type on the same call
};

struct IdentifierRecord {
  std::string type;
  std::string value;  // clear: callers mask
  PersonId person_id = 0;
  Timestamp first_seen_at{};
  Timestamp last_seen_at{};
  std::string source;
};

struct MergeRecord {
  int64_t id = 0;
  PersonId survivor_id = 0;
  PersonId absorbed_id = 0;
  Timestamp at{};
  std::string evidence;  // JSON
  std::optional<Timestamp> undone_at;
  std::optional<int64_t> undone_by;
  bool undone() const { return undone_at.has_value(); }
};

struct ConflictRecord {
  int64_t id = 0;
  PersonId person_a = 0;
  PersonId person_b = 0;
  std::string identifier_type;
  Timestamp at{};
  std::string evidence;  // JSON
  std::string status;    // "open", "kept_separate", "merged"
  std::optional<Timestamp> resolved_at;
  std::optional<int64_t> resolved_by;
};

struct UnmergeResult {
  int64_t merge_id = 0;
  PersonId survivor_root = 0;  // the current root of the survivor after the unmerge
  PersonId absorbed_id = 0;    // a root again, with everything merged into it since
};

struct GraphStats {
  int64_t persons = 0;  // not erased
  int64_t roots = 0;    // current OneIDs
  int64_t identifiers = 0;
  int64_t merges = 0;  // in effect (not undone)
  int64_t conflicts_open = 0;
  int64_t pending_changes = 0;
  size_t memory_bytes = 0;
};

class IdentityGraph;

// An erasure in progress: from PlanErase until CommitErase, or destruction (which abandons it).
// While it lives its persons take no new identifiers and no merges. Move-only.
class ErasePlan {
 public:
  struct Key {
    std::string type;
    privacy::LookupHash lookup;
  };
  ErasePlan(ErasePlan&& other) noexcept;
  ErasePlan& operator=(ErasePlan&&) = delete;
  ErasePlan(const ErasePlan&) = delete;
  ~ErasePlan();

  PersonId root() const { return root_; }
  const std::vector<PersonId>& members() const { return members_; }
  const std::vector<Key>& identifiers() const { return keys_; }

 private:
  friend class IdentityGraph;
  ErasePlan() = default;
  IdentityGraph* graph_ = nullptr;  // null once committed or moved from
  PersonId root_ = 0;
  std::vector<PersonId> members_;
  std::vector<Key> keys_;
  std::vector<uint32_t> entries_;
  int64_t erased_at_us_ = 0;      // set by WriteErase
  uint64_t flushed_through_ = 0;  // set by WriteErase
};

struct GraphOptions {
  // Tests lower it; production keeps the default.
  size_t pending_changes_max = kPendingChangesMax;
};

class IdentityGraph {
 public:
  // Reads persons, identifiers, conflicts, erased identifiers and the checkpoint into memory.
  // Identifier rows of a type `types` does not know are left in the store and not indexed (a
  // warning says how many). The ring, keys, random and clock must outlive the graph.
  static Result<std::unique_ptr<IdentityGraph>> Load(store::Database& db, IdentifierTypes types,
                                                     const privacy::KeyRing& ring,
                                                     privacy::PersonKeys& keys, Random& random,
                                                     const Clock& clock, GraphOptions options = {});
  ~IdentityGraph();

  // Resolves one call's identifiers to a person (see the rules above). Identifiers of an unknown
  // type or a malformed value are skipped and counted; "previous_id" is an app_user_id when some
  // person holds that value as one, else an anonymous_id. NotFound when no identifier is usable
  // (the caller treats the event as anonymous); ResourceExhausted when kPendingChangesMax changes
  // are pending (options.pending_changes_max; flush, then retry).
  Result<ResolveResult> Resolve(std::span<const events::Identifier> ids, const Evidence& evidence);

  // The current root of `person`; nullopt when unknown or erased.
  std::optional<PersonId> Root(PersonId person) const;
  // The current roots holding (type, value) — several for a shared device_id, most recent user
  // first. InvalidArgument for an unknown type or malformed value.
  Result<std::vector<PersonId>> Find(std::string_view type, std::string_view value) const;
  // The root of `person` and every person merged into it, transitively: root first, the rest in
  // no particular order. Empty when unknown or erased.
  std::vector<PersonId> Members(PersonId person) const;
  // Whether (type, value) belonged to an erased person (the event query hides such events). A
  // previous_id is erased when it was erased as an app_user_id or an anonymous_id.
  bool IsErased(std::string_view type, std::string_view value) const;
  // When (type, value) was last erased; nullopt when never. Events received before then carried
  // the erased customer's identifiers; later ones may be the customer's return.
  std::optional<Timestamp> ErasedAt(std::string_view type, std::string_view value) const;
  GraphStats Stats() const;
  size_t MemoryBytes() const;
  size_t PendingChanges() const;
  // The event-log sequence the graph has applied up to, as loaded (identity_checkpoint).
  uint64_t checkpoint() const;
  const IdentifierTypes& types() const { return types_; }
  // The keyed hash OneID files (type, normalised value) under.
  privacy::LookupHash Lookup(std::string_view type, std::string_view normalised) const;

  // Writes every pending change and identity_checkpoint(next_sequence) in `tx`. Then, on the same
  // thread, exactly one of FlushCommitted() / FlushAborted(). Several threads may flush at once
  // (the ingestion writer and an import): each writes the whole queue, so each commit makes
  // everything up to its own copy durable.
  Status Flush(store::Transaction& tx, uint64_t next_sequence);
  void FlushCommitted();
  void FlushAborted();

  // The identifiers of `members` with clear values, including those not yet flushed.
  Result<std::vector<IdentifierRecord>> ReadIdentifiers(store::Transaction& tx,
                                                        std::span<const PersonId> members);
  // Merges whose survivor is in Members(root), oldest first, including unflushed ones.
  Result<std::vector<MergeRecord>> ListMerges(store::Transaction& tx, PersonId root) const;
  // Conflicts with `status` ("" for all) and id < before_id, newest first, at most `limit`
  // (1..kConflictsPageMax), including unflushed ones.
  Result<std::vector<ConflictRecord>> ListConflicts(store::Transaction& tx, std::string_view status,
                                                    int64_t before_id, int64_t limit) const;
  // Closes an open conflict. "merged" merges the two persons' current roots, and fails with
  // FailedPrecondition when that would give one person two values of a one-per-person type.
  Status ResolveConflict(store::Database& db, int64_t conflict_id, std::string_view resolution,
                         int64_t staff_id);
  // Undoes merge `merge_id` in one transaction (after flushing pending changes): the absorbed
  // person is a root again with everything merged into it since. FailedPrecondition if already
  // undone or a person involved is erased; NotFound if no such merge. Memory changes after commit.
  Result<UnmergeResult> Unmerge(store::Database& db, int64_t merge_id, int64_t staff_id);

  // Erasure (PIPL), split so the caller can remove profile and consent rows in the same
  // transaction: PlanErase, then WriteErase in the caller's transaction, then CommitErase after
  // it commits (dropping the plan instead abandons the erasure). After CommitErase no identifier
  // of the person can be found; a later call bearing one creates a new person.
  // NotFound when `person` is unknown or erased; FailedPrecondition when an erasure of it is
  // already in progress.
  Result<ErasePlan> PlanErase(PersonId person);
  // Flushes pending changes, records every identifier of the members in erased_identifier,
  // deletes their identifier rows, sets person.erased_at and shreds each member's data key.
  Status WriteErase(store::Transaction& tx, ErasePlan& plan);
  void CommitErase(ErasePlan& plan);

 private:
  friend class ErasePlan;
  struct Item;
  struct Call;

  IdentityGraph(IdentifierTypes types, const privacy::KeyRing& ring, privacy::PersonKeys& keys,
                Random& random, const Clock& clock, GraphOptions options);

  // graph.cc: resolution. REQUIRES (Locked): mutex_ held exclusively.
  Status PrepareItems(std::span<const events::Identifier> ids, Call& call) const;
  void LookupLocked(Call& call) const;
  void LinkStrongLocked(Call& call);
  void PlaceNewOnePerPersonLocked(Call& call);
  void LinkWeakLocked(Call& call);
  void FinishLocked(Call& call);
  // Merges roots a and b (survivor rule); returns the survivor.
  uint32_t MergeLocked(uint32_t a, uint32_t b, std::string evidence, Call& call);
  // Records (once per pair and type) that roots a and b share one-per-person `bits`.
  void ConflictLocked(uint32_t a, uint32_t b, uint8_t bits, uint8_t via_type, Call& call);
  uint32_t NewPersonLocked(Call& call);
  void AttachLocked(uint32_t person, Item& item, Call& call);
  void TouchLocked(uint32_t entry, uint32_t now_s, bool holder_changed);
  bool Identified(uint32_t root) const;
  uint8_t SharedBits(uint32_t a, uint32_t b) const;
  std::string EvidenceJson(const Evidence& evidence, uint8_t via_type) const;

  // graph_store.cc: persistence.
  Status LoadFrom(store::Transaction& tx);
  Status LoadPersons(store::Transaction& tx);
  Status LoadIdentifiers(store::Transaction& tx);
  Status LoadHistory(store::Transaction& tx);
  // Copies the pending changes (under mutex_) and writes them in `tx`; returns the number after
  // the last change written, for MarkDurable once `tx` commits.
  Result<uint64_t> FlushPendingTo(store::Transaction& tx);
  std::vector<internal::WriteOp> CopyPendingLocked();
  // Forgets pending changes numbered below `through` (committed).
  void MarkDurableLocked(uint64_t through);

  size_t MemoryBytesLocked() const;

  // graph_admin.cc helpers.
  void AbandonErase(ErasePlan& plan);
  struct ConflictRow {
    uint32_t person_a = 0;
    uint32_t person_b = 0;
    std::string type;
    std::string status;
  };
  Result<ConflictRow> ReadConflict(store::Database& db, int64_t conflict_id) const;
  Status MergeForConflict(int64_t conflict_id, const ConflictRow& row, int64_t staff_id);

  IdentifierTypes types_;
  const privacy::KeyRing& ring_;
  privacy::PersonKeys& keys_;
  Random& random_;
  const Clock& clock_;
  const GraphOptions options_;
  std::optional<size_t> app_user_id_type_;
  std::optional<size_t> anonymous_id_type_;

  mutable internal::RwLock mutex_;  // guards everything below except where noted
  internal::IdentifierIndex index_;
  internal::PersonForest forest_;
  internal::PendingQueue pending_;
  std::set<std::tuple<uint32_t, uint32_t, uint8_t>> conflict_pairs_;  // (a < b, type) recorded
  // Erased identifiers → when they were (last) erased, UTC microseconds.
  std::map<std::pair<uint8_t, privacy::LookupHash>, int64_t> erased_;
  int64_t next_merge_id_ = 1;
  int64_t next_conflict_id_ = 1;
  int64_t persons_live_ = 0;
  int64_t merges_live_ = 0;
  int64_t conflicts_open_ = 0;
  uint64_t checkpoint_ = 0;
  uint64_t durable_through_ = 0;

  // Serialises flushes (PersonKeys and `random_` are used by one at a time) and holds, per
  // calling thread, where its Flush got to until FlushCommitted / FlushAborted.
  std::mutex flush_mutex_;
  struct CallerFlush {
    uint64_t end = 0;
    uint64_t next_sequence = 0;
  };
  std::map<std::thread::id, CallerFlush> caller_flushes_;
  // Serialises the admin operations among themselves.
  std::mutex admin_mutex_;
};

}  // namespace banyan::identity

#endif  // BANYAN_IDENTITY_GRAPH_H_
