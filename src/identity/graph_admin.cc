// IdentityGraph: the operations staff start — unmerge, conflict review — and erasure (PIPL).
// Each flushes the pending changes in its own transaction first (writes are idempotent, see
// internal/pending.h), so the rows it changes exist.

#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

#include "identity/graph.h"

namespace banyan::identity {

Result<UnmergeResult> IdentityGraph::Unmerge(store::Database& db, int64_t merge_id,
                                             int64_t staff_id) {
  std::lock_guard admin(admin_mutex_);
  uint64_t flushed = 0;
  int64_t survivor = 0;
  int64_t absorbed = 0;
  RETURN_IF_ERROR(db.Write([&](store::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(flushed, FlushPendingTo(tx));
    struct Row {
      int64_t survivor, absorbed;
      bool undone;
    };
    ASSIGN_OR_RETURN(const Row row,
                     tx.QueryOne<Row>("SELECT survivor_id, absorbed_id, undone_at IS NOT NULL "
                                      "FROM identity_merge WHERE id = ?",
                                      {merge_id}, fmt::format("identity_merge {}", merge_id),
                                      [](const store::Row& r) {
                                        return Row{r.Int(0), r.Int(1), r.Int(2) != 0};
                                      }));
    if (row.undone) {
      return FailedPreconditionError(fmt::format("merge {} was already undone", merge_id));
    }
    survivor = row.survivor;
    absorbed = row.absorbed;
    {
      std::shared_lock lock(mutex_);
      for (const int64_t p : {survivor, absorbed}) {
        if (p <= 0 || p >= forest_.next_id()) {
          return DataLossError(fmt::format("merge {}: person {} is unknown", merge_id, p));
        }
        if (forest_.at(static_cast<uint32_t>(p)).flags &
            (internal::kPersonErased | internal::kPersonErasing)) {
          return FailedPreconditionError(
              fmt::format("merge {}: person {} is erased or being erased", merge_id, p));
        }
      }
    }
    const int64_t now = ToUnixMicros(clock_.Now());
    RETURN_IF_ERROR(tx.Execute(
        "UPDATE person SET merged_into = NULL, updated_at = ? WHERE id = ? AND merged_into = ?",
        {now, absorbed, survivor}));
    if (tx.Changes() != 1) {
      return InternalError(
          fmt::format("merge {}: person {} is not merged into {}", merge_id, absorbed, survivor));
    }
    return tx.Execute(
        "UPDATE identity_merge SET undone_at = ?, undone_by = ? WHERE id = ? AND undone_at IS NULL",
        {now, staff_id, merge_id});
  }));
  std::unique_lock lock(mutex_);
  MarkDurableLocked(flushed);
  const auto a = static_cast<uint32_t>(absorbed);
  // Only an unmerge changes a non-root's parent, and unmerges are serialised.
  CHECK(forest_.at(a).parent == static_cast<uint32_t>(survivor),
        "person {} is not merged into {} in memory", absorbed, survivor);
  forest_.Unlink(a);
  --merges_live_;
  return UnmergeResult{merge_id, forest_.Root(static_cast<uint32_t>(survivor)), absorbed};
}

Result<IdentityGraph::ConflictRow> IdentityGraph::ReadConflict(store::Database& db,
                                                               int64_t conflict_id) const {
  {
    std::shared_lock lock(mutex_);
    for (uint64_t n = pending_.begin(); n < pending_.end(); ++n) {
      const auto* c = std::get_if<internal::NewConflict>(&pending_.at(n));
      if (c != nullptr && c->id == conflict_id) {
        return ConflictRow{c->person_a, c->person_b, types_.at(c->type).name, "open"};
      }
    }
  }
  ConflictRow out;
  RETURN_IF_ERROR(db.Read([&](store::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(out, tx.QueryOne<ConflictRow>(
                              "SELECT person_a, person_b, identifier_type, status "
                              "FROM identity_conflict WHERE id = ?",
                              {conflict_id}, fmt::format("identity_conflict {}", conflict_id),
                              [](const store::Row& r) {
                                return ConflictRow{static_cast<uint32_t>(r.Int(0)),
                                                   static_cast<uint32_t>(r.Int(1)), r.Text(2),
                                                   r.Text(3)};
                              }));
    return Status::Ok();
  }));
  return out;
}

Status IdentityGraph::ResolveConflict(store::Database& db, int64_t conflict_id,
                                      std::string_view resolution, int64_t staff_id) {
  if (resolution != "kept_separate" && resolution != "merged") {
    return InvalidArgumentError("expected kept_separate or merged", "resolution");
  }
  std::lock_guard admin(admin_mutex_);
  ASSIGN_OR_RETURN(const ConflictRow row, ReadConflict(db, conflict_id));
  if (row.status != "open") {
    return FailedPreconditionError(
        fmt::format("identity_conflict {} is already {}", conflict_id, row.status));
  }
  if (resolution == "merged") RETURN_IF_ERROR(MergeForConflict(conflict_id, row, staff_id));
  uint64_t flushed = 0;
  RETURN_IF_ERROR(db.Write([&](store::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(flushed, FlushPendingTo(tx));
    RETURN_IF_ERROR(
        tx.Execute("UPDATE identity_conflict SET status = ?, resolved_at = ?, resolved_by = ? "
                   "WHERE id = ? AND status = 'open'",
                   {std::string(resolution), ToUnixMicros(clock_.Now()), staff_id, conflict_id}));
    if (tx.Changes() != 1) {
      return FailedPreconditionError(
          fmt::format("identity_conflict {} is no longer open", conflict_id));
    }
    return Status::Ok();
  }));
  std::unique_lock lock(mutex_);
  MarkDurableLocked(flushed);
  --conflicts_open_;
  return Status::Ok();
}

ErasePlan::ErasePlan(ErasePlan&& other) noexcept
    : graph_(std::exchange(other.graph_, nullptr)),
      root_(other.root_),
      members_(std::move(other.members_)),
      keys_(std::move(other.keys_)),
      entries_(std::move(other.entries_)),
      flushed_through_(other.flushed_through_) {}

ErasePlan::~ErasePlan() {
  if (graph_ != nullptr) graph_->AbandonErase(*this);
}

Result<ErasePlan> IdentityGraph::PlanErase(PersonId person) {
  std::unique_lock lock(mutex_);
  if (person <= 0 || person >= forest_.next_id() ||
      !forest_.Exists(static_cast<uint32_t>(person)) ||
      (forest_.at(static_cast<uint32_t>(person)).flags & internal::kPersonErased)) {
    return NotFoundError(fmt::format("person {} not found", person));
  }
  const uint32_t root = forest_.Root(static_cast<uint32_t>(person));
  std::vector<uint32_t> members;
  forest_.Members(root, &members);
  for (const uint32_t m : members) {
    if (forest_.at(m).flags & internal::kPersonErasing) {
      return FailedPreconditionError(fmt::format("an erasure of person {} is in progress", root));
    }
  }
  ErasePlan plan;
  plan.root_ = root;
  for (const uint32_t m : members) {
    forest_.at(m).flags |= internal::kPersonErasing;
    plan.members_.push_back(m);
  }
  // Entries are not listed per person (that would cost 4 bytes per identifier): scan them all.
  // Erasures are rare; 4 million entries take tens of milliseconds.
  const std::unordered_set<uint32_t> wanted(members.begin(), members.end());
  for (uint32_t e = 0; e < index_.end(); ++e) {
    const internal::Entry& entry = index_.at(e);
    if ((entry.flags & internal::kEntryDead) || !wanted.contains(entry.person)) continue;
    plan.entries_.push_back(e);
    plan.keys_.push_back({types_.at(entry.type).name, entry.lookup});
  }
  plan.graph_ = this;
  return plan;
}

Status IdentityGraph::WriteErase(store::Transaction& tx, ErasePlan& plan) {
  if (plan.graph_ != this) {
    return FailedPreconditionError("the erase plan is not in progress in this graph");
  }
  ASSIGN_OR_RETURN(plan.flushed_through_, FlushPendingTo(tx));
  const int64_t now = ToUnixMicros(clock_.Now());
  plan.erased_at_us_ = now;
  // An identifier erased before (its customer came back) takes the newer time: every event
  // received before it is the erased customer's.
  for (const ErasePlan::Key& key : plan.keys_) {
    RETURN_IF_ERROR(
        tx.Execute("INSERT INTO erased_identifier (type, lookup, erased_at) VALUES (?, ?, ?) "
                   "ON CONFLICT (type, lookup) DO UPDATE SET erased_at = excluded.erased_at",
                   {key.type, store::Blob{std::string(privacy::AsBytes(key.lookup))}, now}));
  }
  for (const PersonId member : plan.members_) {
    // Rows the plan could not see (none are expected) are recorded from the store itself.
    RETURN_IF_ERROR(
        tx.Execute("INSERT INTO erased_identifier (type, lookup, erased_at) "
                   "SELECT type, lookup, ? FROM identifier WHERE person_id = ? "
                   "ON CONFLICT (type, lookup) DO UPDATE SET erased_at = excluded.erased_at",
                   {now, member}));
    RETURN_IF_ERROR(tx.Execute("DELETE FROM identifier WHERE person_id = ?", {member}));
    RETURN_IF_ERROR(tx.Execute("UPDATE person SET erased_at = ?, updated_at = ? WHERE id = ?",
                               {now, now, member}));
    RETURN_IF_ERROR(keys_.Shred(tx, member));
  }
  return Status::Ok();
}

void IdentityGraph::CommitErase(ErasePlan& plan) {
  CHECK(plan.graph_ == this, "CommitErase of a plan not in progress");
  std::unique_lock lock(mutex_);
  MarkDurableLocked(plan.flushed_through_);
  for (const uint32_t e : plan.entries_) {
    const internal::Entry& entry = index_.at(e);
    erased_.insert_or_assign({entry.type, entry.lookup}, plan.erased_at_us_);
    index_.Remove(e);
  }
  const std::unordered_set<PersonId> members(plan.members_.begin(), plan.members_.end());
  for (const PersonId m : plan.members_) {
    internal::Person& p = forest_.at(static_cast<uint32_t>(m));
    p.flags = static_cast<uint8_t>((p.flags & ~internal::kPersonErasing) | internal::kPersonErased);
    --persons_live_;
    if (p.parent != 0) --merges_live_;
  }
  // Clear values of the erased persons leave memory now, not at the next flush.
  for (uint64_t n = pending_.begin(); n < pending_.end(); ++n) {
    const auto* id = std::get_if<internal::NewIdentifier>(&pending_.at(n));
    if (id != nullptr && members.contains(id->person)) pending_.at(n) = internal::Dropped{};
  }
  plan.graph_ = nullptr;
}

void IdentityGraph::AbandonErase(ErasePlan& plan) {
  std::unique_lock lock(mutex_);
  for (const PersonId m : plan.members_) {
    internal::Person& p = forest_.at(static_cast<uint32_t>(m));
    p.flags = static_cast<uint8_t>(p.flags & ~internal::kPersonErasing);
  }
  plan.graph_ = nullptr;
}

}  // namespace banyan::identity
