#include "identity/internal/pending.h"

#include <fmt/format.h>

#include <optional>
#include <unordered_map>

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
  // Persons above `stored_max` are being inserted by this transaction.
  KeyCache(store::Transaction& tx, privacy::PersonKeys& keys, int64_t stored_max)
      : tx_(tx), keys_(keys), stored_max_(stored_max) {}

  Result<const std::optional<privacy::DataKey>*> Get(uint32_t person) {
    auto it = cache_.find(person);
    if (it != cache_.end()) return &it->second;
    std::optional<privacy::DataKey> key;
    if (person > stored_max_) {
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
  const int64_t stored_max_;
  std::unordered_map<uint32_t, std::optional<privacy::DataKey>> cache_;
};

// "INSERT INTO <head> VALUES (<row>), (<row>) ... <tail>" for `rows` rows.
std::string MultiRowSql(std::string_view head, std::string_view row, size_t rows,
                        std::string_view tail) {
  std::string sql = fmt::format("INSERT INTO {} VALUES ", head);
  for (size_t i = 0; i < rows; ++i) {
    if (i > 0) sql += ", ";
    sql += row;
  }
  sql += " ";
  sql += tail;
  return sql;
}

// Buffers person and identifier rows and inserts them kBatchRowsMax at a time: one statement
// for many rows costs far less than one each. Person rows always go in before the identifier
// rows that refer to them.
class RowBatcher {
 public:
  static constexpr size_t kBatchRowsMax = 32;

  RowBatcher(store::Transaction& tx, const WriteContext& ctx, KeyCache& keys)
      : tx_(tx), ctx_(ctx), keys_(keys) {}

  Status AddPerson(const NewPerson& op) {
    persons_.emplace_back(static_cast<int64_t>(op.id));
    persons_.emplace_back(op.at_us);
    persons_.emplace_back(op.at_us);
    if (persons_.size() == kBatchRowsMax * kPersonColumns) return FlushPersons();
    return Status::Ok();
  }

  Status AddIdentifier(const NewIdentifier& op) {
    ASSIGN_OR_RETURN(const std::optional<privacy::DataKey>* key, keys_.Get(op.person));
    if (!key->has_value()) return Status::Ok();  // erased: the value must not reach the store
    const std::string& type = ctx_.types.at(op.type).name;
    identifiers_.emplace_back(type);
    identifiers_.emplace_back(BlobOf(op.lookup));
    identifiers_.emplace_back(static_cast<int64_t>(op.person));
    identifiers_.emplace_back(store::Blob{
        privacy::Seal(**key, op.value, IdentifierAssociatedData(op.person, type), ctx_.random)});
    identifiers_.emplace_back(op.at_us);
    identifiers_.emplace_back(op.at_us);
    identifiers_.emplace_back(op.source);
    if (identifiers_.size() == kBatchRowsMax * kIdentifierColumns) return FlushIdentifiers();
    return Status::Ok();
  }

  // Inserts everything buffered.
  Status Flush() { return FlushIdentifiers(); }

 private:
  static constexpr size_t kPersonColumns = 3;
  static constexpr size_t kIdentifierColumns = 7;

  Status FlushPersons() {
    if (persons_.empty()) return Status::Ok();
    const size_t rows = persons_.size() / kPersonColumns;
    RETURN_IF_ERROR(tx_.Execute(MultiRowSql("person (id, merged_into, created_at, updated_at)",
                                            "(?, NULL, ?, ?)", rows, "ON CONFLICT (id) DO NOTHING"),
                                persons_));
    persons_.clear();
    return Status::Ok();
  }

  Status FlushIdentifiers() {
    RETURN_IF_ERROR(FlushPersons());
    if (identifiers_.empty()) return Status::Ok();
    const size_t rows = identifiers_.size() / kIdentifierColumns;
    RETURN_IF_ERROR(tx_.Execute(
        MultiRowSql("identifier (type, lookup, person_id, sealed, first_seen_at, last_seen_at, "
                    "source)",
                    "(?, ?, ?, ?, ?, ?, ?)", rows,
                    "ON CONFLICT (type, lookup, person_id) DO NOTHING"),
        identifiers_));
    identifiers_.clear();
    return Status::Ok();
  }

  store::Transaction& tx_;
  const WriteContext& ctx_;
  KeyCache& keys_;
  std::vector<store::Value> persons_;
  std::vector<store::Value> identifiers_;
};

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
  // Ids are allocated densely in memory, so persons above the store's largest id are inserted
  // by this call: not erased, and without a data key yet.
  ASSIGN_OR_RETURN(const int64_t stored_max,
                   tx.QueryOne<int64_t>("SELECT COALESCE(MAX(id), 0) FROM person", {}, "person",
                                        [](const store::Row& r) { return r.Int(0); }));
  KeyCache keys(tx, ctx.keys, stored_max);
  RowBatcher rows(tx, ctx, keys);
  for (const WriteOp& op : ops) {
    if (const auto* p = std::get_if<NewPerson>(&op)) {
      RETURN_IF_ERROR(rows.AddPerson(*p));
      continue;
    }
    if (const auto* i = std::get_if<NewIdentifier>(&op)) {
      RETURN_IF_ERROR(rows.AddIdentifier(*i));
      continue;
    }
    RETURN_IF_ERROR(rows.Flush());  // the rows the next change depends on
    if (const auto* t = std::get_if<TouchWrite>(&op)) {
      RETURN_IF_ERROR(WriteTouch(tx, *t, ctx));
    } else if (const auto* m = std::get_if<NewMerge>(&op)) {
      RETURN_IF_ERROR(WriteMerge(tx, *m));
    } else if (const auto* c = std::get_if<NewConflict>(&op)) {
      RETURN_IF_ERROR(WriteConflict(tx, *c, ctx));
    }
  }
  return rows.Flush();
}

}  // namespace banyan::identity::internal
