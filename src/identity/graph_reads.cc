// IdentityGraph: reads — from memory (Root, Find, Members, IsErased, Stats) and from the store
// merged with what is still pending (ReadIdentifiers, ListMerges, ListConflicts).

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <unordered_set>

#include "identity/graph.h"
#include "privacy/sealer.h"

namespace banyan::identity {

using internal::Entry;
using internal::Person;

std::optional<PersonId> IdentityGraph::Root(PersonId person) const {
  std::shared_lock lock(mutex_);
  if (person <= 0 || person >= forest_.next_id()) return std::nullopt;
  const auto id = static_cast<uint32_t>(person);
  if (!forest_.Exists(id) || (forest_.at(id).flags & internal::kPersonErased)) return std::nullopt;
  return forest_.Root(id);
}

Result<std::vector<PersonId>> IdentityGraph::Find(std::string_view type,
                                                  std::string_view value) const {
  const std::optional<size_t> index = types_.IndexOf(type);
  if (!index) {
    return InvalidArgumentError(
        fmt::format("unknown identifier type '{}'", type.substr(0, kIdentifierTypeNameBytesMax)),
        "type");
  }
  ASSIGN_OR_RETURN(const std::string normalised, types_.Normalize(*index, value));
  const privacy::LookupHash lookup = Lookup(types_.at(*index).name, normalised);
  std::shared_lock lock(mutex_);
  std::vector<uint32_t> entries;
  index_.ForEachMatch(static_cast<uint8_t>(*index), lookup, [&](uint32_t e) {
    if (!(forest_.at(index_.at(e).person).flags & internal::kPersonErased)) entries.push_back(e);
    return true;
  });
  std::sort(entries.begin(), entries.end(), [&](uint32_t a, uint32_t b) {
    const Entry& x = index_.at(a);
    const Entry& y = index_.at(b);
    return std::tie(x.last_seen_s, x.person) > std::tie(y.last_seen_s, y.person);
  });
  std::vector<PersonId> roots;
  for (uint32_t e : entries) {
    const PersonId root = forest_.Root(index_.at(e).person);
    if (std::find(roots.begin(), roots.end(), root) == roots.end()) roots.push_back(root);
  }
  return roots;
}

std::vector<PersonId> IdentityGraph::Members(PersonId person) const {
  std::shared_lock lock(mutex_);
  if (person <= 0 || person >= forest_.next_id()) return {};
  const auto id = static_cast<uint32_t>(person);
  if (!forest_.Exists(id) || (forest_.at(id).flags & internal::kPersonErased)) return {};
  std::vector<uint32_t> members;
  forest_.Members(forest_.Root(id), &members);
  return std::vector<PersonId>(members.begin(), members.end());
}

bool IdentityGraph::IsErased(std::string_view type, std::string_view value) const {
  return ErasedAt(type, value).has_value();
}

std::optional<Timestamp> IdentityGraph::ErasedAt(std::string_view type,
                                                 std::string_view value) const {
  if (type == events::kPreviousId) {  // either of the types it may have stood for
    const std::optional<Timestamp> user = ErasedAt(events::kAppUserId, value);
    const std::optional<Timestamp> anonymous = ErasedAt(events::kAnonymousId, value);
    if (user && anonymous) return std::max(*user, *anonymous);
    return user ? user : anonymous;
  }
  const std::optional<size_t> index = types_.IndexOf(type);
  if (!index) return std::nullopt;
  Result<std::string> normalised = types_.Normalize(*index, value);
  if (!normalised.ok()) return std::nullopt;
  const privacy::LookupHash lookup = Lookup(types_.at(*index).name, *normalised);
  std::shared_lock lock(mutex_);
  const auto it = erased_.find({static_cast<uint8_t>(*index), lookup});
  if (it == erased_.end()) return std::nullopt;
  return FromUnixMicros(it->second);
}

GraphStats IdentityGraph::Stats() const {
  std::shared_lock lock(mutex_);
  GraphStats stats;
  stats.persons = persons_live_;
  stats.roots = persons_live_ - merges_live_;
  stats.identifiers = static_cast<int64_t>(index_.live());
  stats.merges = merges_live_;
  stats.conflicts_open = conflicts_open_;
  stats.pending_changes = static_cast<int64_t>(pending_.size());
  stats.memory_bytes = MemoryBytesLocked();
  return stats;
}

size_t IdentityGraph::MemoryBytes() const {
  std::shared_lock lock(mutex_);
  return MemoryBytesLocked();
}

size_t IdentityGraph::MemoryBytesLocked() const {
  // std::set nodes: three pointers, a colour and the value, rounded to the allocator's 16 bytes.
  constexpr size_t kSetNodeOverheadBytes = 48;
  return index_.MemoryBytes() + forest_.MemoryBytes() +
         conflict_pairs_.size() * (kSetNodeOverheadBytes + 16) +
         erased_.size() * (kSetNodeOverheadBytes + sizeof(std::pair<uint8_t, privacy::LookupHash>) +
                           sizeof(int64_t));
}

size_t IdentityGraph::PendingChanges() const {
  std::shared_lock lock(mutex_);
  return pending_.size();
}

uint64_t IdentityGraph::checkpoint() const {
  std::shared_lock lock(mutex_);
  return checkpoint_;
}

Result<std::vector<IdentifierRecord>> IdentityGraph::ReadIdentifiers(
    store::Transaction& tx, std::span<const PersonId> members) {
  struct Stored {
    IdentifierRecord record;
    privacy::LookupHash lookup;
  };
  std::vector<Stored> stored;
  for (const PersonId member : members) {
    std::optional<privacy::DataKey> key;
    RETURN_IF_ERROR(tx.Query(
        "SELECT type, lookup, sealed, first_seen_at, last_seen_at, source FROM identifier "
        "WHERE person_id = ? ORDER BY first_seen_at, type",
        {member}, [&](const store::Row& row) -> Status {
          if (!key) {
            ASSIGN_OR_RETURN(key, keys_.Get(tx, member));
          }
          Stored s;
          s.record.type = row.Text(0);
          ASSIGN_OR_RETURN(s.lookup, privacy::LookupHashFromBytes(row.Bytes(1)));
          Result<std::string> value = privacy::Open(
              *key, row.Bytes(2), internal::IdentifierAssociatedData(member, s.record.type));
          if (!value.ok()) {
            return value.status().WithContext(
                fmt::format("identifier {} of person {}", s.record.type, member));
          }
          s.record.value = std::move(*value);
          s.record.person_id = member;
          s.record.first_seen_at = FromUnixMicros(row.Int(3));
          s.record.last_seen_at = FromUnixMicros(row.Int(4));
          s.record.source = row.Text(5);
          stored.push_back(std::move(s));
          return Status::Ok();
        }));
  }
  std::vector<IdentifierRecord> out;
  std::shared_lock lock(mutex_);
  // Memory knows a later last-seen than the store when the write is still coalescing.
  for (Stored& s : stored) {
    if (const std::optional<size_t> type = types_.IndexOf(s.record.type)) {
      index_.ForEachMatch(static_cast<uint8_t>(*type), s.lookup, [&](uint32_t e) {
        const Entry& entry = index_.at(e);
        if (entry.person != s.record.person_id) return true;
        s.record.last_seen_at =
            std::max(s.record.last_seen_at,
                     FromUnixMicros(static_cast<int64_t>(entry.last_seen_s) * 1'000'000));
        return false;
      });
    }
    out.push_back(std::move(s.record));
  }
  const std::unordered_set<PersonId> wanted(members.begin(), members.end());
  for (uint64_t n = pending_.begin(); n < pending_.end(); ++n) {
    const auto* id = std::get_if<internal::NewIdentifier>(&pending_.at(n));
    if (id == nullptr || !wanted.contains(id->person)) continue;
    const std::string& type = types_.at(id->type).name;
    const bool flushed = std::any_of(stored.begin(), stored.end(), [&](const Stored& s) {
      return s.record.person_id == id->person && s.lookup == id->lookup && s.record.type == type;
    });
    if (flushed) continue;
    const Entry& entry = index_.at(id->entry);
    out.push_back(IdentifierRecord{
        type, id->value, id->person, FromUnixMicros(id->at_us),
        std::max(FromUnixMicros(id->at_us),
                 FromUnixMicros(static_cast<int64_t>(entry.last_seen_s) * 1'000'000)),
        id->source});
  }
  return out;
}

namespace {

MergeRecord MergeFromRow(const store::Row& row) {
  MergeRecord m;
  m.id = row.Int(0);
  m.survivor_id = row.Int(1);
  m.absorbed_id = row.Int(2);
  m.at = FromUnixMicros(row.Int(3));
  m.evidence = row.Text(4);
  if (!row.IsNull(5)) m.undone_at = FromUnixMicros(row.Int(5));
  m.undone_by = row.OptionalInt(6);
  return m;
}

ConflictRecord ConflictFromRow(const store::Row& row) {
  ConflictRecord c;
  c.id = row.Int(0);
  c.person_a = row.Int(1);
  c.person_b = row.Int(2);
  c.identifier_type = row.Text(3);
  c.at = FromUnixMicros(row.Int(4));
  c.evidence = row.Text(5);
  c.status = row.Text(6);
  if (!row.IsNull(7)) c.resolved_at = FromUnixMicros(row.Int(7));
  c.resolved_by = row.OptionalInt(8);
  return c;
}

}  // namespace

Result<std::vector<MergeRecord>> IdentityGraph::ListMerges(store::Transaction& tx,
                                                           PersonId root) const {
  const std::vector<PersonId> members = Members(root);
  std::map<int64_t, MergeRecord> merges;
  for (const PersonId member : members) {
    RETURN_IF_ERROR(
        tx.Query("SELECT id, survivor_id, absorbed_id, at, evidence, undone_at, undone_by "
                 "FROM identity_merge WHERE survivor_id = ?",
                 {member}, [&](const store::Row& row) {
                   MergeRecord m = MergeFromRow(row);
                   merges.emplace(m.id, std::move(m));
                   return Status::Ok();
                 }));
  }
  const std::unordered_set<PersonId> wanted(members.begin(), members.end());
  std::shared_lock lock(mutex_);
  for (uint64_t n = pending_.begin(); n < pending_.end(); ++n) {
    const auto* m = std::get_if<internal::NewMerge>(&pending_.at(n));
    if (m == nullptr || !wanted.contains(m->survivor) || merges.contains(m->id)) continue;
    merges.emplace(m->id, MergeRecord{m->id, m->survivor, m->absorbed, FromUnixMicros(m->at_us),
                                      m->evidence, std::nullopt, std::nullopt});
  }
  std::vector<MergeRecord> out;
  out.reserve(merges.size());
  for (auto& [id, m] : merges) out.push_back(std::move(m));
  return out;
}

Result<std::vector<ConflictRecord>> IdentityGraph::ListConflicts(store::Transaction& tx,
                                                                 std::string_view status,
                                                                 int64_t before_id,
                                                                 int64_t limit) const {
  if (!status.empty() && status != "open" && status != "kept_separate" && status != "merged") {
    return InvalidArgumentError("expected open, kept_separate or merged", "status");
  }
  if (limit < 1 || limit > kConflictsPageMax) {
    return InvalidArgumentError(fmt::format("expected 1..{}", kConflictsPageMax), "limit");
  }
  if (before_id <= 0) before_id = INT64_MAX;
  std::map<int64_t, ConflictRecord, std::greater<>> conflicts;
  RETURN_IF_ERROR(tx.Query(
      "SELECT id, person_a, person_b, identifier_type, at, evidence, status, resolved_at, "
      "resolved_by FROM identity_conflict WHERE id < ? AND (? = '' OR status = ?) "
      "ORDER BY id DESC LIMIT ?",
      {before_id, std::string(status), std::string(status), limit}, [&](const store::Row& row) {
        ConflictRecord c = ConflictFromRow(row);
        conflicts.emplace(c.id, std::move(c));
        return Status::Ok();
      }));
  if (status.empty() || status == "open") {
    std::shared_lock lock(mutex_);
    for (uint64_t n = pending_.begin(); n < pending_.end(); ++n) {
      const auto* c = std::get_if<internal::NewConflict>(&pending_.at(n));
      if (c == nullptr || c->id >= before_id || conflicts.contains(c->id)) continue;
      conflicts.emplace(c->id, ConflictRecord{c->id, c->person_a, c->person_b,
                                              types_.at(c->type).name, FromUnixMicros(c->at_us),
                                              c->evidence, "open", std::nullopt, std::nullopt});
    }
  }
  std::vector<ConflictRecord> out;
  for (auto& [id, c] : conflicts) {
    if (static_cast<int64_t>(out.size()) == limit) break;
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace banyan::identity
