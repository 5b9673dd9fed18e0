// IdentityGraph: loading from the store and flushing pending changes to it.

#include <fmt/format.h>

#include <algorithm>
#include <thread>

#include "base/logging.h"
#include "identity/graph.h"

namespace banyan::identity {

using internal::Person;

Result<std::unique_ptr<IdentityGraph>> IdentityGraph::Load(
    store::Database& db, IdentifierTypes types, const privacy::KeyRing& ring,
    privacy::PersonKeys& keys, Random& random, const Clock& clock, GraphOptions options) {
  std::unique_ptr<IdentityGraph> graph(
      new IdentityGraph(std::move(types), ring, keys, random, clock, options));
  RETURN_IF_ERROR(db.Read([&](store::Transaction& tx) { return graph->LoadFrom(tx); }));
  return graph;
}

namespace {

Result<int64_t> QueryInt(store::Transaction& tx, std::string_view sql) {
  return tx.QueryOne<int64_t>(sql, {}, "aggregate", [](const store::Row& r) { return r.Int(0); });
}

// Fails with DataLoss when following merged_into from some person never reaches a root.
Status CheckAcyclic(const internal::PersonForest& forest) {
  std::vector<uint8_t> state(forest.next_id(), 0);  // 0 unseen, 1 on the current path, 2 done
  std::vector<uint32_t> path;
  for (uint32_t id = 1; id < forest.next_id(); ++id) {
    path.clear();
    uint32_t p = id;
    while (p != 0 && state[p] == 0) {
      state[p] = 1;
      path.push_back(p);
      p = forest.at(p).parent;
    }
    if (p != 0 && state[p] == 1) {
      return DataLossError(fmt::format("person.merged_into forms a cycle through person {}", p));
    }
    for (uint32_t q : path) state[q] = 2;
  }
  return Status::Ok();
}

}  // namespace

Status IdentityGraph::LoadFrom(store::Transaction& tx) {
  RETURN_IF_ERROR(LoadPersons(tx));
  RETURN_IF_ERROR(LoadIdentifiers(tx));
  // Fold each person's own holdings into its root.
  for (uint32_t id = 1; id < forest_.next_id(); ++id) {
    if (!forest_.Exists(id)) continue;
    const Person& p = forest_.at(id);
    Person& root = forest_.at(forest_.Root(id));
    root.agg_one_per_person |= p.own_one_per_person;
    root.agg_strength = std::max(root.agg_strength, p.own_strength);
  }
  return LoadHistory(tx);
}

Status IdentityGraph::LoadPersons(store::Transaction& tx) {
  ASSIGN_OR_RETURN(const int64_t max_person,
                   QueryInt(tx, "SELECT COALESCE(MAX(id), 0) FROM person"));
  if (max_person < 0 || static_cast<uint64_t>(max_person) > internal::kPersonsMax) {
    return DataLossError(fmt::format("person id {} out of range", max_person));
  }
  forest_.Reserve(static_cast<size_t>(max_person));
  std::vector<std::pair<uint32_t, uint32_t>> edges;  // (absorbed, survivor)
  RETURN_IF_ERROR(
      tx.Query("SELECT id, merged_into, erased_at IS NOT NULL FROM person ORDER BY id", {},
               [&](const store::Row& row) -> Status {
                 const int64_t id = row.Int(0);
                 if (id <= 0) return DataLossError(fmt::format("person id {} out of range", id));
                 forest_.Ensure(static_cast<uint32_t>(id));
                 if (row.Int(2) != 0) {
                   forest_.at(static_cast<uint32_t>(id)).flags |= internal::kPersonErased;
                 } else {
                   ++persons_live_;
                 }
                 if (!row.IsNull(1)) {
                   edges.emplace_back(static_cast<uint32_t>(id), static_cast<uint32_t>(row.Int(1)));
                 }
                 return Status::Ok();
               }));
  for (const auto& [absorbed, survivor] : edges) {
    if (!forest_.Exists(survivor) || survivor == absorbed) {
      return DataLossError(
          fmt::format("person {} is merged into missing person {}", absorbed, survivor));
    }
    Person& a = forest_.at(absorbed);
    a.parent = survivor;
    a.next_sibling = forest_.at(survivor).first_child;
    forest_.at(survivor).first_child = absorbed;
    if (!(a.flags & internal::kPersonErased)) ++merges_live_;
  }
  return CheckAcyclic(forest_);
}

// Merge and conflict ids, the recorded conflict pairs, erased identifiers, the checkpoint.
Status IdentityGraph::LoadHistory(store::Transaction& tx) {
  ASSIGN_OR_RETURN(next_merge_id_,
                   QueryInt(tx, "SELECT COALESCE(MAX(id), 0) + 1 FROM identity_merge"));
  ASSIGN_OR_RETURN(next_conflict_id_,
                   QueryInt(tx, "SELECT COALESCE(MAX(id), 0) + 1 FROM identity_conflict"));
  RETURN_IF_ERROR(
      tx.Query("SELECT person_a, person_b, identifier_type, status FROM identity_conflict", {},
               [&](const store::Row& row) -> Status {
                 const std::optional<size_t> type = types_.IndexOf(row.Text(2));
                 const auto a = static_cast<uint32_t>(row.Int(0));
                 const auto b = static_cast<uint32_t>(row.Int(1));
                 if (type) conflict_pairs_.emplace(std::min(a, b), std::max(a, b), *type);
                 if (row.Text(3) == "open") ++conflicts_open_;
                 return Status::Ok();
               }));
  RETURN_IF_ERROR(tx.Query(
      "SELECT type, lookup, erased_at FROM erased_identifier", {},
      [&](const store::Row& row) -> Status {
        const std::optional<size_t> type = types_.IndexOf(row.Text(0));
        ASSIGN_OR_RETURN(privacy::LookupHash lookup, privacy::LookupHashFromBytes(row.Bytes(1)));
        if (type) erased_.insert_or_assign({static_cast<uint8_t>(*type), lookup}, row.Int(2));
        return Status::Ok();
      }));
  return tx.Query("SELECT next_sequence FROM identity_checkpoint WHERE id = 1", {},
                  [&](const store::Row& row) {
                    checkpoint_ = static_cast<uint64_t>(row.Int(0));
                    return Status::Ok();
                  });
}

Status IdentityGraph::LoadIdentifiers(store::Transaction& tx) {
  ASSIGN_OR_RETURN(const int64_t total, QueryInt(tx, "SELECT COUNT(*) FROM identifier"));
  index_.Reserve(static_cast<size_t>(total));
  int64_t loaded = 0;
  // One scan in the table's order (by person).
  RETURN_IF_ERROR(tx.Query(
      "SELECT type, lookup, person_id, last_seen_at FROM identifier", {},
      [&](const store::Row& row) -> Status {
        const std::optional<size_t> found = types_.IndexOf(row.Text(0));
        if (!found) return Status::Ok();  // a type no longer configured: counted below
        const size_t t = *found;
        const IdentifierType& type = types_.at(t);
        ASSIGN_OR_RETURN(const privacy::LookupHash lookup,
                         privacy::LookupHashFromBytes(row.Bytes(1)));
        const int64_t person = row.Int(2);
        if (person <= 0 || person >= forest_.next_id() ||
            !forest_.Exists(static_cast<uint32_t>(person)) ||
            (forest_.at(static_cast<uint32_t>(person)).flags & internal::kPersonErased)) {
          return DataLossError(fmt::format(
              "identifier of type {} belongs to missing or erased person {}", type.name, person));
        }
        const auto p = static_cast<uint32_t>(person);
        const int64_t seen_s = std::clamp<int64_t>(row.Int(3) / 1'000'000, 0, UINT32_MAX);
        index_.Add(static_cast<uint8_t>(t), lookup, p, static_cast<uint32_t>(seen_s));
        Person& holder = forest_.at(p);
        const std::optional<int> bit = types_.OnePerPersonBit(t);
        if (bit) holder.own_one_per_person |= static_cast<uint8_t>(1u << *bit);
        holder.own_strength = std::max(holder.own_strength, static_cast<uint8_t>(type.strength));
        ++loaded;
        return Status::Ok();
      }));
  if (loaded != total) {
    log::Warn("identity.load", {{"identifiers_of_unconfigured_types", total - loaded}});
  }
  return Status::Ok();
}

Status IdentityGraph::Flush(store::Transaction& tx, uint64_t next_sequence) {
  ASSIGN_OR_RETURN(const uint64_t end, FlushPendingTo(tx));
  RETURN_IF_ERROR(
      tx.Execute("INSERT INTO identity_checkpoint (id, next_sequence, updated_at) VALUES (1, ?, ?) "
                 "ON CONFLICT (id) DO UPDATE SET next_sequence = excluded.next_sequence, "
                 "updated_at = excluded.updated_at",
                 {static_cast<int64_t>(next_sequence), ToUnixMicros(clock_.Now())}));
  std::lock_guard lock(flush_mutex_);
  caller_flushes_[std::this_thread::get_id()] = {end, next_sequence};
  return Status::Ok();
}

void IdentityGraph::FlushCommitted() {
  CallerFlush flushed;
  {
    std::lock_guard lock(flush_mutex_);
    auto it = caller_flushes_.find(std::this_thread::get_id());
    if (it == caller_flushes_.end()) return;
    flushed = it->second;
    caller_flushes_.erase(it);
  }
  std::unique_lock lock(mutex_);
  MarkDurableLocked(flushed.end);
  checkpoint_ = std::max(checkpoint_, flushed.next_sequence);
}

void IdentityGraph::FlushAborted() {
  // The changes are still queued and the next flush writes them again.
  std::lock_guard lock(flush_mutex_);
  caller_flushes_.erase(std::this_thread::get_id());
}

Result<uint64_t> IdentityGraph::FlushPendingTo(store::Transaction& tx) {
  std::lock_guard flush_lock(flush_mutex_);
  std::vector<internal::WriteOp> ops;
  uint64_t end = 0;
  {
    std::unique_lock lock(mutex_);
    ops = CopyPendingLocked();
    end = pending_.end();
  }
  RETURN_IF_ERROR(internal::WriteOps(tx, ops, {types_, keys_, random_}));
  return end;
}

std::vector<internal::WriteOp> IdentityGraph::CopyPendingLocked() {
  std::vector<internal::WriteOp> ops;
  ops.reserve(pending_.size());
  for (uint64_t n = pending_.begin(); n < pending_.end(); ++n) {
    internal::Change& change = pending_.at(n);
    if (const auto* person = std::get_if<internal::NewPerson>(&change)) {
      ops.emplace_back(*person);
    } else if (const auto* id = std::get_if<internal::NewIdentifier>(&change)) {
      if (!(forest_.at(id->person).flags & internal::kPersonErased)) ops.emplace_back(*id);
    } else if (const auto* touch = std::get_if<internal::TouchIdentifier>(&change)) {
      internal::Entry& e = index_.at(touch->entry);
      e.flags &= static_cast<uint8_t>(~internal::kEntryTouchQueued);
      if (e.flags & internal::kEntryDead) continue;
      ops.emplace_back(internal::TouchWrite{e.type, e.lookup, e.person,
                                            static_cast<int64_t>(e.last_seen_s) * 1'000'000});
    } else if (const auto* merge = std::get_if<internal::NewMerge>(&change)) {
      ops.emplace_back(*merge);
    } else if (const auto* conflict = std::get_if<internal::NewConflict>(&change)) {
      ops.emplace_back(*conflict);
    }
  }
  return ops;
}

void IdentityGraph::MarkDurableLocked(uint64_t through) {
  durable_through_ = std::max(durable_through_, through);
  pending_.DropBefore(durable_through_);
}

}  // namespace banyan::identity
