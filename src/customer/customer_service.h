// CustomerService: the customers Banyan knows — OneID (identity), profiles, balances and consent —
// kept current from ingestion and imports, and read and administered through the customer API.
//
// Writes. Ingestion calls OnDurable (it is the events::DurableEventSink) on the log's writer
// thread: each event is resolved to a OneID in memory, indexed in the timeline, and its profile
// updates ("identify" traits, Sensors profile_* records) and consents ("$consent" events) are
// queued. A flusher (Flush, every customers.flush_interval_ms) writes the identity graph's
// changes, the queued updates and the log checkpoint in one SQLite transaction. The event log is
// the source of truth for all of it: after a crash, Open replays the log from the checkpoint, so
// an acknowledged event's identity links and traits are never lost. When the queue is full,
// OnDurable still applies (the event is already durable) and Backpressure() tells ingestion to
// answer 429 until the flusher catches up.
//
// Reads are scoped and masked: a principal sees a customer only when the customer's home branch
// is in its subtree (kSubtree), the customer is theirs (kOwnCustomers), or it may see all (kAll);
// anything else is NotFound, indistinguishable from a customer that does not exist. Personal
// values (identifiers, C2 attributes) are masked by privacy/masking.h unless the caller unmasks
// one field (pii:unmask, audited).
//
// Admin operations — unmerge, erase, conflict resolution, consent records — flush pending
// changes first and are serialised with each other and with Flush.
//
// With CustomerOptions::engine, Open also rebuilds an analytic engine (engine_feed.h) from every
// stored profile and consent and the whole log, and from then on OnDurable queues each event
// (and the merges its resolution made), Flush the re-read attributes of every customer it
// changed, and Erase the erasure; see docs/engine.md, "Feeding the engine".
//
// Thread safety: every public method is safe from any thread.

#ifndef BANYAN_CUSTOMER_CUSTOMER_SERVICE_H_
#define BANYAN_CUSTOMER_CUSTOMER_SERVICE_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "auth/audit.h"
#include "auth/principal.h"
#include "base/clock.h"
#include "base/json.h"
#include "base/random.h"
#include "base/result.h"
#include "base/time.h"
#include "customer/engine_feed.h"
#include "customer/timeline_index.h"
#include "customer/views.h"
#include "events/event_log.h"
#include "events/ingest.h"
#include "identity/graph.h"
#include "privacy/consent.h"
#include "privacy/keyring.h"
#include "privacy/person_keys.h"
#include "profile/aum_daily.h"
#include "profile/balances.h"
#include "profile/import.h"
#include "profile/profile_store.h"
#include "profile/schema.h"
#include "store/database.h"

namespace banyan::customer {

using identity::PersonId;

inline constexpr size_t kPendingUpdatesMax = 200'000;  // queued profile updates and consents
inline constexpr int kCustomerPageMax = 200;
inline constexpr int kTimelinePageMax = 200;
inline constexpr int kRecentEventsIn360 = 20;
inline constexpr size_t kExportEventsMax = 100'000;

// A customer's clear contact points, for sending a message (ContactsForSending). Never
// serialised to an API response: messaging resolves the address without revealing it.
struct Contacts {
  PersonId one_id = 0;
  std::vector<PersonId> members;  // the persons merged into the OneID
  std::optional<int64_t> home_branch_id;
  std::optional<int64_t> rm_id;
  std::vector<std::pair<std::string, std::string>> points;  // (identifier type, clear value)
};

struct CustomerOptions {
  size_t timeline_events_max = 10'000;
  // Keep an analytic engine current (engine_feed.h): rebuilt from the store and the whole log
  // in Open, then fed by every change. Off for the offline commands.
  bool engine = false;
  EngineFeedOptions engine_feed;
};

struct CustomerCounters {
  std::atomic<int64_t> events_applied{0};
  std::atomic<int64_t> events_anonymous{0};  // no usable identifier
  std::atomic<int64_t> identifiers_skipped{0};
  std::atomic<int64_t> profile_updates{0};
  std::atomic<int64_t> consents_recorded{0};
  std::atomic<int64_t> consents_invalid{0};
  std::atomic<int64_t> flushes{0};
  std::atomic<int64_t> flush_failures{0};
};

// One customer as a list row.
struct CustomerSummary {
  PersonId one_id = 0;
  Json profile;  // selected attributes, masked
  std::optional<int64_t> home_branch_id;
  std::optional<int64_t> rm_id;
};

struct CustomerPage {
  std::vector<CustomerSummary> items;
  std::optional<PersonId> next_after;
};

struct CustomerListQuery {
  std::optional<int64_t> branch_id;  // within the caller's scope
  std::optional<int64_t> rm_id;
  std::optional<PersonId> after;
  int limit = 50;
};

class CustomerService : public events::DurableEventSink {
 public:
  struct Deps {
    store::Database& db;
    events::EventLog& log;
    privacy::KeyRing& ring;
    privacy::PersonKeys& keys;
    std::unique_ptr<identity::IdentityGraph> graph;
    std::unique_ptr<profile::AttributeSchema> schema;
    auth::AuditLog& audit;
    const Clock& clock;
    Random& random;
    BusinessCalendar calendar;
  };

  // Takes the loaded graph, replays the event log from the graph's checkpoint (and indexes the
  // whole log for timelines), flushes, and returns ready for OnDurable.
  static Result<std::unique_ptr<CustomerService>> Open(Deps deps, CustomerOptions options);
  ~CustomerService() override;

  // events::DurableEventSink. Writer thread; never blocks on the database.
  void OnDurable(events::SequenceRange range, std::span<const events::Event> events) override;
  // True while the pending queue is over its bound: ingestion should answer 429.
  bool Backpressure() const;
  // Writes pending changes. Called by the flusher thread and at shutdown.
  Status Flush();

  // Lookup by any identifier. Returns the OneIDs the caller may see (several for a shared
  // device id). InvalidArgument for an unknown type or a value that does not normalise.
  Result<std::vector<PersonId>> Find(const auth::Principal& principal, std::string_view type,
                                     std::string_view value);
  Result<CustomerPage> List(const auth::Principal& principal, const CustomerListQuery& query);
  // The customer 360: profile, identifiers, consents, recent events, merges — masked.
  Result<Json> Get(const auth::Principal& principal, PersonId id);
  // Events of the customer, newest first; `before` is the cursor (a sequence).
  Result<Json> Timeline(const auth::Principal& principal, PersonId id,
                        std::optional<uint64_t> before, int limit);
  // The clear value of one field ("name", "phone", "identifiers/phone", ...) of one customer.
  // Needs pii:unmask; audited ("pii.unmask") with the field, never the value.
  Result<Json> Unmask(const auth::Principal& principal, PersonId id, std::string_view field,
                      const auth::AuditContext& context);
  // Everything held on the customer, in clear (PIPL access right). Needs customers:export;
  // audited.
  Result<Json> Export(const auth::Principal& principal, PersonId id,
                      const auth::AuditContext& context);
  // PIPL erasure: identifiers, profile, balances, consents removed; the person's key shredded;
  // events kept, detached, as anonymous. Needs customers:erase; audited. The log itself is
  // scrubbed by the next ScrubErasedEvents.
  Result<Json> Erase(const auth::Principal& principal, PersonId id,
                     const auth::AuditContext& context);
  // When an erasure has happened since the last complete scrub: seals the event log's active
  // segment and rewrites every sealed segment holding events of erased customers without their
  // identifiers and personal data (event_scrub.h). For the server's periodic maintenance; does
  // nothing (one small query) otherwise.
  Result<events::RewriteReport> ScrubErasedEvents();
  // Splits a merge (identity admin). Needs customers:erase (the admin's identity permission);
  // audited.
  Result<Json> Unmerge(const auth::Principal& principal, int64_t merge_id,
                       const auth::AuditContext& context);
  Result<Json> ListConflicts(const auth::Principal& principal, std::string_view status,
                             std::optional<int64_t> before_id, int limit);
  Result<Json> ResolveConflict(const auth::Principal& principal, int64_t conflict_id,
                               std::string_view resolution, const auth::AuditContext& context);

  // contacts.cc. The customer's identifiers of `types` in clear, for the message dispatcher and
  // the send API only; scoped like every read (NotFound outside the caller's scope). Not audited
  // as an unmask: the values go to the provider, never back to the caller.
  Result<Contacts> ContactsForSending(const auth::Principal& principal, PersonId id,
                                      std::span<const std::string> types);

  Result<Json> Consents(const auth::Principal& principal, PersonId id,
                        std::optional<int64_t> before_id, int limit);
  // Records a consent fact given by staff (branch form, phone call). Needs consent:write.
  Result<Json> RecordConsent(const auth::Principal& principal, PersonId id,
                             privacy::ConsentFact fact, const auth::AuditContext& context);
  // Daily balances summed over the OneID's persons. Amounts are C2: masked unless the caller has
  // pii:unmask, and then the view is audited ("pii.view_balances").
  Result<Json> Balances(const auth::Principal& principal, PersonId id, CivilDay from, CivilDay to,
                        const auth::AuditContext& context);

  // Bulk import from core banking (profile/import.h) through this service's graph and stores,
  // after writing what ingestion has queued. Holds ingestion's apply path for the duration:
  // meant for offline use (`banyan import`, `banyan demo init`).
  Result<profile::ImportReport> ImportCustomers(const profile::ImportOptions& options);
  Result<profile::ImportReport> ImportBalances(const profile::ImportOptions& options);

  const BusinessCalendar& calendar() const { return deps_.calendar; }
  const profile::AttributeSchema& schema() const { return *deps_.schema; }
  Result<Json> AddAttribute(const auth::Principal& principal, profile::AttributeDef def,
                            const auth::AuditContext& context);
  identity::IdentityGraph& graph() { return *deps_.graph; }
  const CustomerCounters& counters() const { return counters_; }
  size_t TimelineMemoryBytes() const { return timeline_.MemoryBytes(); }

  // The analytic engine, when CustomerOptions::engine: readers take engine().snapshot().
  bool has_engine() const { return engine_feed_ != nullptr; }
  // REQUIRES: has_engine().
  const engine::Engine& engine() const;
  // Null without an engine.
  const EngineFeed* engine_feed() const { return engine_feed_.get(); }
  // The customers of `snapshot` that `principal` may see — the rule of every read above (home
  // branch in its subtree, its own customers, or all) — as the snapshot's customer indexes.
  // Engine readers (segments, analytics) AND their populations with it.
  Result<engine::Bitmap> VisibleCustomers(const auth::Principal& principal,
                                          const engine::Snapshot& snapshot);
  // List rows (masked) of those of `ids` the caller may see, in the order given; OneIDs it may
  // not see, or that no longer exist, are left out. At most kCustomerPageMax ids.
  Result<std::vector<CustomerSummary>> Summaries(const auth::Principal& principal,
                                                 std::span<const PersonId> ids);
  // AUM over time: the bank-wide daily balance sums (profile/aum_daily.h) from `from` to `to`
  // that `principal` may see — cells of home branches in its subtree, of its own customers, or
  // all — and the codes and names of the branches and managers they name.
  struct AumDailyCells {
    std::vector<profile::AumCell> cells;
    std::map<int64_t, std::pair<std::string, std::string>> branches;  // id → {code, name}
    std::map<int64_t, std::pair<std::string, std::string>> managers;  // id → {username, name}
  };
  Result<AumDailyCells> AumDaily(const auth::Principal& principal, CivilDay from, CivilDay to);
  // Waits until the engine has applied every change queued so far (Flush first to include the
  // attributes of pending profile updates). No-op without an engine.
  void WaitForEngine();

 private:
  CustomerService(Deps deps, CustomerOptions options);
  struct Pending;
  // A customer the caller may see: its current OneID, persons and merged profile.
  struct Visible {
    PersonId root = 0;
    std::vector<PersonId> members;
    profile::Profile profile;
  };
  Status Replay();
  void Apply(uint64_t sequence, const events::Event& event);
  // NotFound (as for a missing customer) when `id` is unknown, erased or out of scope.
  Result<Visible> LoadVisible(store::Transaction& tx, const auth::Principal& principal,
                              PersonId id);
  Result<bool> InScope(store::Transaction& tx, const auth::Principal& principal,
                       const profile::Profile& profile);
  Result<Json> TimelineItems(PersonId root, std::optional<uint64_t> before, int limit,
                             EventDetail detail);
  Status FlushLocked();
  Result<profile::ImportReport> Import(bool customers, const profile::ImportOptions& options);

  // customer_engine.cc: feeding the engine.
  struct EngineChanges {
    std::vector<engine::AttributeChange> changes;
    std::vector<engine::AttributeSpec> specs;
    std::vector<engine::MergeRecord> merges;
  };
  // The rebuild in Open after Replay: every stored profile and consent, then waits until the
  // engine has applied everything and logs how long it took.
  Status RebuildEngine(Timestamp started);
  Status FeedAllProfiles();
  // Everything the engine holds of the OneIDs of `persons` (current roots, each once), read in
  // `tx`, and a merge record for every member of each, which the engine ignores when it knows.
  Status CollectEngineAttributes(store::Transaction& tx, std::span<const PersonId> persons,
                                 EngineChanges* out);
  // Reads and feeds the current attributes of the OneIDs of `persons` (admin operations).
  void RefreshEngine(std::span<const PersonId> persons);
  // Live path, under pending_mutex_: the event, and the merges its resolution made. True when
  // it merged: the OneID's merged profile differs, so its attributes must be re-read.
  bool FeedEngineLocked(const events::Event& event, const identity::ResolveResult& resolved);

  Deps deps_;
  const CustomerOptions options_;
  TimelineIndex timeline_;
  CustomerCounters counters_;
  profile::ProfileStore profiles_;
  profile::BalanceStore balances_;
  privacy::ConsentLedger consents_;
  std::unique_ptr<EngineFeed> engine_feed_;  // null unless options_.engine

  std::mutex pending_mutex_;  // guards pending_
  std::unique_ptr<Pending> pending_;
  std::atomic<size_t> pending_size_{0};
  std::atomic<uint64_t> applied_through_{0};  // next sequence after the last applied event
  uint64_t checkpoint_written_ = UINT64_MAX;  // guarded by admin_mutex_
  std::mutex admin_mutex_;                    // serialises Flush and admin operations
};

}  // namespace banyan::customer

#endif  // BANYAN_CUSTOMER_CUSTOMER_SERVICE_H_
