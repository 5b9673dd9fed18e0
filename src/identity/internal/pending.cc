#include "identity/internal/pending.h"

#include <fmt/format.h>

#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "privacy/sealer.h"

namespace banyan::identity::internal {
namespace {

store::Value BlobOf(const privacy::LookupHash& lookup) {
  return store::Blob{std::string(privacy::AsBytes(lookup))};
}

// Data keys of the persons whose identifiers one WriteOps call seals; nullopt for a person
// erased in the store (its identifiers are not written).
class KeyCache {
 public:
  KeyCache(store::Transaction& tx, privacy::PersonKeys& keys) : tx_(tx), keys_(keys) {}

  // `person`'s row was inserted by this transaction: not erased, and without a data key.
  void NoteInserted(uint32_t person) { inserted_.insert(person); }

  Result<const std::optional<privacy::DataKey>*> Get(uint32_t person) {
    auto it = cache_.find(person);
    if (it != cache_.end()) return &it->second;
    std::optional<privacy::DataKey> key;
    if (inserted_.contains(person)) {
      Result<privacy::DataKey> created = keys_.Create(tx_, person);
      if (!created.ok() && created.status().code() == StatusCode::kAlreadyExists) {
        created = keys_.Get(tx_, person);  // another module gave the new person a key first
      }
      if (!created.ok()) return created.status();
      key = std::move(*created);
    } else {
      // Written again after a commit: the person may have been erased since.
      ASSIGN_OR_RETURN(
          const bool erased,
          tx_.QueryOne<bool>("SELECT erased_at IS NOT NULL FROM person WHERE id = ?",
                             {static_cast<int64_t>(person)}, fmt::format("person {}", person),
                             [](const store::Row& r) { return r.Int(0) != 0; }));
      if (!erased) {
        ASSIGN_OR_RETURN(key, keys_.GetOrCreate(tx_, person));
      }
    }
    return &cache_.emplace(person, std::move(key)).first->second;
  }

 private:
  store::Transaction& tx_;
  privacy::PersonKeys& keys_;
  std::unordered_set<uint32_t> inserted_;
  std::unordered_map<uint32_t, std::optional<privacy::DataKey>> cache_;
};

Status WritePerson(store::Transaction& tx, const NewPerson& op, KeyCache& keys) {
  RETURN_IF_ERROR(tx.Execute(
      "INSERT INTO person (id, merged_into, created_at, updated_at) VALUES (?, NULL, ?, ?) "
      "ON CONFLICT (id) DO NOTHING",
      {static_cast<int64_t>(op.id), op.at_us, op.at_us}));
  if (tx.Changes() == 1) keys.NoteInserted(op.id);
  return Status::Ok();
}

Status WriteIdentifier(store::Transaction& tx, const NewIdentifier& op, const WriteContext& ctx,
                       KeyCache& keys) {
  ASSIGN_OR_RETURN(const std::optional<privacy::DataKey>* key, keys.Get(op.person));
  if (!key->has_value()) return Status::Ok();  // erased: the value must not reach the store
  const std::string& type = ctx.types.at(op.type).name;
  const std::string sealed =
      privacy::Seal(**key, op.value, IdentifierAssociatedData(op.person, type), ctx.random);
  return tx.Execute(
      "INSERT INTO identifier (type, lookup, person_id, sealed, first_seen_at, last_seen_at, "
      "source) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (type, lookup, person_id) DO NOTHING",
      {type, BlobOf(op.lookup), static_cast<int64_t>(op.person), store::Blob{sealed}, op.at_us,
       op.at_us, op.source});
}

Status WriteTouch(store::Transaction& tx, const TouchWrite& op, const WriteContext& ctx) {
  return tx.Execute(
      "UPDATE identifier SET last_seen_at = ? "
      "WHERE type = ? AND lookup = ? AND person_id = ? AND last_seen_at < ?",
      {op.last_seen_us, ctx.types.at(op.type).name, BlobOf(op.lookup),
       static_cast<int64_t>(op.person), op.last_seen_us});
}

Status WriteMerge(store::Transaction& tx, const NewMerge& op) {
  RETURN_IF_ERROR(
      tx.Execute("INSERT INTO identity_merge (id, survivor_id, absorbed_id, at, evidence) "
                 "VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                 {op.id, static_cast<int64_t>(op.survivor), static_cast<int64_t>(op.absorbed),
                  op.at_us, op.evidence}));
  // Written again after an unmerge, the merge must not take effect a second time.
  return tx.Execute(
      "UPDATE person SET merged_into = ?, updated_at = ? WHERE id = ? AND NOT EXISTS "
      "(SELECT 1 FROM identity_merge WHERE id = ? AND undone_at IS NOT NULL)",
      {static_cast<int64_t>(op.survivor), op.at_us, static_cast<int64_t>(op.absorbed), op.id});
}

Status WriteConflict(store::Transaction& tx, const NewConflict& op, const WriteContext& ctx) {
  return tx.Execute(
      "INSERT INTO identity_conflict (id, person_a, person_b, identifier_type, at, evidence, "
      "status) VALUES (?, ?, ?, ?, ?, ?, 'open') ON CONFLICT (id) DO NOTHING",
      {op.id, static_cast<int64_t>(op.person_a), static_cast<int64_t>(op.person_b),
       ctx.types.at(op.type).name, op.at_us, op.evidence});
}

}  // namespace

std::string IdentifierAssociatedData(int64_t person_id, std::string_view type) {
  return fmt::format("identifier/{}/{}", person_id, type);
}

Status WriteOps(store::Transaction& tx, const std::vector<WriteOp>& ops, const WriteContext& ctx) {
  KeyCache keys(tx, ctx.keys);
  for (const WriteOp& op : ops) {
    Status status;
    if (const auto* p = std::get_if<NewPerson>(&op)) {
      status = WritePerson(tx, *p, keys);
    } else if (const auto* i = std::get_if<NewIdentifier>(&op)) {
      status = WriteIdentifier(tx, *i, ctx, keys);
    } else if (const auto* t = std::get_if<TouchWrite>(&op)) {
      status = WriteTouch(tx, *t, ctx);
    } else if (const auto* m = std::get_if<NewMerge>(&op)) {
      status = WriteMerge(tx, *m);
    } else if (const auto* c = std::get_if<NewConflict>(&op)) {
      status = WriteConflict(tx, *c, ctx);
    }
    RETURN_IF_ERROR(status);
  }
  return Status::Ok();
}

}  // namespace banyan::identity::internal
