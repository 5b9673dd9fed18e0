// CustomerService: feeding the analytic engine (engine_feed.h, engine_records.h) — the rebuild at
// start, the live path's events and merges, and the attributes re-read after each change.

#include <set>

#include "base/check.h"
#include "base/logging.h"
#include "customer/customer_service.h"
#include "customer/engine_records.h"

namespace banyan::customer {
namespace {

// OneIDs read per read transaction during the rebuild: bounds the transaction and the batch
// handed to the feed at once.
constexpr size_t kRebuildRootsPerRead = 2'000;

int64_t MillisecondsSince(const Clock& clock, Timestamp started) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock.Now() - started).count();
}

}  // namespace

const engine::Engine& CustomerService::engine() const {
  CHECK(engine_feed_ != nullptr, "CustomerService::engine() without CustomerOptions::engine");
  return engine_feed_->engine();
}

void CustomerService::WaitForEngine() {
  if (engine_feed_) engine_feed_->WaitIdle();
}

bool CustomerService::FeedEngineLocked(const events::Event& event,
                                       const identity::ResolveResult& resolved) {
  int64_t skipped = 0;
  if (auto record = EngineEventOf(resolved.person, event, &skipped)) {
    engine_feed_->AddEvent(std::move(*record), skipped);
  }
  if (resolved.merge_ids.empty()) return false;
  // The graph reports merge ids, not the persons: every member that is not the root now was
  // absorbed at some time. The engine ignores merges it already made.
  for (const PersonId member : deps_.graph->Members(resolved.person)) {
    if (member != resolved.person) engine_feed_->AddMerge({resolved.person, member});
  }
  return true;
}

Status CustomerService::CollectEngineAttributes(store::Transaction& tx,
                                                std::span<const PersonId> persons,
                                                EngineChanges* out) {
  std::set<PersonId> roots;
  for (const PersonId person : persons) {
    if (auto root = deps_.graph->Root(person)) roots.insert(*root);  // erased: nothing
  }
  int64_t skipped = 0;
  for (const PersonId root : roots) {
    const std::vector<PersonId> members = deps_.graph->Members(root);
    if (members.size() > profile::kMembersMax || members.size() > privacy::kConsentPersonsMax) {
      ++skipped;  // a OneID this large is a linking accident under review, not a segment member
      continue;
    }
    ASSIGN_OR_RETURN(profile::Profile profile,
                     profiles_.Read(tx, members, deps_.clock.Now(), deps_.calendar));
    ASSIGN_OR_RETURN(std::vector<privacy::ConsentState> consents, consents_.Current(tx, members));
    auto changes =
        EngineAttributesOf(root, profile, consents, *deps_.schema, &out->specs, &skipped);
    out->changes.insert(out->changes.end(), std::make_move_iterator(changes.begin()),
                        std::make_move_iterator(changes.end()));
    for (const PersonId member : members) {
      if (member != root) out->merges.push_back({root, member});
    }
  }
  if (skipped > 0) {
    log::Warn("engine.attributes_skipped", {{"count", skipped}});
  }
  return Status::Ok();
}

void CustomerService::RefreshEngine(std::span<const PersonId> persons) {
  if (!engine_feed_) return;
  EngineChanges collected;
  Status read = deps_.db.Read(
      [&](store::Transaction& tx) { return CollectEngineAttributes(tx, persons, &collected); });
  if (!read.ok()) {
    log::Error("engine.refresh_failed", {{"error", read.ToString()}});
    return;
  }
  for (const auto& merge : collected.merges) engine_feed_->AddMerge(merge);
  engine_feed_->AddAttributes(std::move(collected.changes), std::move(collected.specs));
}

// Every person with a stored profile or consent, by OneID, in read transactions of
// kRebuildRootsPerRead OneIDs.
Status CustomerService::FeedAllProfiles() {
  std::set<PersonId> roots;
  RETURN_IF_ERROR(deps_.db.Read([&](store::Transaction& tx) -> Status {
    return tx.Query("SELECT person_id FROM profile UNION SELECT person_id FROM consent", {},
                    [&](const store::Row& row) {
                      if (auto root = deps_.graph->Root(row.Int(0))) roots.insert(*root);
                      return Status::Ok();
                    });
  }));
  std::vector<PersonId> chunk;
  auto feed_chunk = [&]() -> Status {
    EngineChanges collected;
    RETURN_IF_ERROR(deps_.db.Read(
        [&](store::Transaction& tx) { return CollectEngineAttributes(tx, chunk, &collected); }));
    for (const auto& merge : collected.merges) engine_feed_->AddMerge(merge);
    engine_feed_->AddAttributes(std::move(collected.changes), std::move(collected.specs));
    chunk.clear();
    return Status::Ok();
  };
  for (const PersonId root : roots) {
    chunk.push_back(root);
    if (chunk.size() == kRebuildRootsPerRead) RETURN_IF_ERROR(feed_chunk());
  }
  if (!chunk.empty()) RETURN_IF_ERROR(feed_chunk());
  return Status::Ok();
}

// Replay has fed every event of the log (resolved to today's OneIDs); the profiles and consents
// come from the store.
Status CustomerService::RebuildEngine(Timestamp started) {
  const Timestamp profiles_started = deps_.clock.Now();
  RETURN_IF_ERROR(FeedAllProfiles());
  const int64_t profiles_ms = MillisecondsSince(deps_.clock, profiles_started);
  engine_feed_->WaitIdle();
  engine_feed_->Compact();
  engine_feed_->SetBlocking(false);
  const auto snapshot = engine_feed_->engine().snapshot();
  const engine::MemoryStats memory = snapshot->Memory();
  log::Info("engine.rebuilt", {{"customers", static_cast<int64_t>(memory.customers)},
                               {"events", static_cast<int64_t>(memory.events)},
                               {"memory_bytes", static_cast<int64_t>(memory.total())},
                               {"profiles_ms", profiles_ms},
                               {"ms", MillisecondsSince(deps_.clock, started)}});
  return Status::Ok();
}

}  // namespace banyan::customer
