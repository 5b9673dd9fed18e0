#include "privacy/person_keys.h"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <array>

#include "base/check.h"

namespace banyan::privacy {
namespace {

store::Value BlobOf(std::string bytes) { return store::Blob{std::move(bytes)}; }

DataKey NewDataKey(Random& random) {
  std::array<uint8_t, kDataKeyBytes> bytes;
  random.Fill(bytes);
  DataKey key(bytes);
  sodium_memzero(bytes.data(), bytes.size());
  return key;
}

std::string Wrap(const DataKey& master, uint32_t version, int64_t person_id, const DataKey& key,
                 Random& random) {
  const std::string_view bytes(reinterpret_cast<const char*>(key.data()), kDataKeyBytes);
  return Seal(master, bytes, PersonKeyAssociatedData(person_id, version), random);
}

Result<DataKey> Unwrap(const DataKey& master, uint32_t version, int64_t person_id,
                       std::string_view wrapped) {
  Result<std::string> opened = Open(master, wrapped, PersonKeyAssociatedData(person_id, version));
  if (!opened.ok()) {
    return DataLossError(fmt::format("data key of person {} does not unwrap under master key {}",
                                     person_id, version));
  }
  std::string& bytes = *opened;
  if (bytes.size() != kDataKeyBytes) {
    sodium_memzero(bytes.data(), bytes.size());
    return DataLossError(fmt::format("data key of person {} is {} bytes, not {}", person_id,
                                     bytes.size(), kDataKeyBytes));
  }
  DataKey key(std::span<const uint8_t, kDataKeyBytes>(
      reinterpret_cast<const uint8_t*>(bytes.data()), kDataKeyBytes));
  sodium_memzero(bytes.data(), bytes.size());
  return key;
}

}  // namespace

std::string PersonKeyAssociatedData(int64_t person_id, uint32_t version) {
  return fmt::format("person_key/{}/{}", person_id, version);
}

PersonKeys::PersonKeys(const KeyRing& ring, Random& random, const Clock& clock)
    : ring_(ring), random_(random), clock_(clock) {}

Result<DataKey> PersonKeys::Create(store::Transaction& tx, int64_t person_id) {
  if (person_id <= 0) {
    return InvalidArgumentError(fmt::format("person_id must be positive, not {}", person_id),
                                "person_id");
  }
  const auto [version, master] = ring_.CurrentMasterKey();
  DataKey key = NewDataKey(random_);
  Status inserted = tx.Execute(
      "INSERT INTO person_key (person_id, key_version, wrapped, created_at) VALUES (?, ?, ?, ?)",
      {person_id, static_cast<int64_t>(version),
       BlobOf(Wrap(master, version, person_id, key, random_)), ToUnixMicros(clock_.Now())});
  if (inserted.code() == StatusCode::kAlreadyExists) {
    return AlreadyExistsError(fmt::format("person {} already has a data key", person_id));
  }
  RETURN_IF_ERROR(inserted);
  return key;
}

Result<DataKey> PersonKeys::Get(store::Transaction& tx, int64_t person_id) {
  struct Row {
    int64_t version;
    std::string wrapped;
  };
  Result<Row> row =
      tx.QueryOne<Row>("SELECT key_version, wrapped FROM person_key WHERE person_id = ?",
                       {person_id}, "data key", [](const store::Row& r) {
                         return Row{r.Int(0), r.Bytes(1)};
                       });
  if (row.status().code() == StatusCode::kNotFound) {
    return NotFoundError(fmt::format("person {} has no data key", person_id));
  }
  RETURN_IF_ERROR(row.status());
  return UnwrapStored(person_id, row->version, row->wrapped);
}

Result<DataKey> PersonKeys::UnwrapStored(int64_t person_id, int64_t stored_version,
                                         std::string_view wrapped) const {
  if (stored_version <= 0 || stored_version > UINT32_MAX) {
    return DataLossError(fmt::format("data key of person {} names master key version {}", person_id,
                                     stored_version));
  }
  const auto version = static_cast<uint32_t>(stored_version);
  Result<DataKey> master = ring_.MasterKey(version);
  if (!master.ok()) {
    return FailedPreconditionError(
        fmt::format("data key of person {} is wrapped under master key {}, which key ring {} "
                    "does not hold",
                    person_id, version, ring_.path()));
  }
  return Unwrap(*master, version, person_id, wrapped);
}

Result<DataKey> PersonKeys::GetOrCreate(store::Transaction& tx, int64_t person_id) {
  Result<DataKey> key = Get(tx, person_id);
  if (key.status().code() == StatusCode::kNotFound) return Create(tx, person_id);
  return key;
}

Status PersonKeys::Shred(store::Transaction& tx, int64_t person_id) {
  return tx.Execute("DELETE FROM person_key WHERE person_id = ?", {person_id});
}

Result<int64_t> PersonKeys::CountNotCurrent(store::Transaction& tx) {
  return tx.QueryOne<int64_t>("SELECT COUNT(*) FROM person_key WHERE key_version <> ?",
                              {static_cast<int64_t>(ring_.current_version())}, "count",
                              [](const store::Row& r) { return r.Int(0); });
}

Result<int64_t> PersonKeys::RewrapBatch(store::Transaction& tx, uint32_t version,
                                        const DataKey& master, int64_t after_person_id,
                                        int64_t batch_rows, int64_t& last_person_id) {
  struct Old {
    int64_t person_id;
    int64_t version;
    std::string wrapped;
  };
  std::vector<Old> rows;
  RETURN_IF_ERROR(
      tx.Query("SELECT person_id, key_version, wrapped FROM person_key WHERE person_id > ? "
               "ORDER BY person_id LIMIT ?",
               {after_person_id, batch_rows}, [&](const store::Row& r) {
                 rows.push_back({r.Int(0), r.Int(1), r.Bytes(2)});
                 return Status::Ok();
               }));
  last_person_id = rows.empty() ? INT64_MAX : rows.back().person_id;
  int64_t rewrapped = 0;
  for (const Old& old : rows) {
    if (old.version == static_cast<int64_t>(version)) continue;
    ASSIGN_OR_RETURN(DataKey key, UnwrapStored(old.person_id, old.version, old.wrapped));
    RETURN_IF_ERROR(
        tx.Execute("UPDATE person_key SET key_version = ?, wrapped = ? WHERE person_id = ?",
                   {static_cast<int64_t>(version),
                    BlobOf(Wrap(master, version, old.person_id, key, random_)), old.person_id}));
    ++rewrapped;
  }
  return rewrapped;
}

Result<int64_t> PersonKeys::RewrapAll(store::Database& db, int64_t batch_rows) {
  if (batch_rows < 1 || batch_rows > kRewrapBatchRowsMax) {
    return InvalidArgumentError(
        fmt::format("batch_rows must be 1..{}, not {}", kRewrapBatchRowsMax, batch_rows),
        "batch_rows");
  }
  const auto [version, master] = ring_.CurrentMasterKey();
  int64_t total = 0;
  // A cursor over person ids: each batch reads `batch_rows` keys and rewraps those not yet under
  // `version`, so the whole pass is one scan of the table however many keys need work.
  for (int64_t after = INT64_MIN; after != INT64_MAX;) {
    int64_t rewrapped = 0, last = INT64_MAX;
    RETURN_IF_ERROR(db.Write([&](store::Transaction& tx) -> Status {
      ASSIGN_OR_RETURN(rewrapped, RewrapBatch(tx, version, master, after, batch_rows, last));
      return Status::Ok();
    }));
    total += rewrapped;
    after = last;
  }
  return total;
}

Result<RotationReport> RotateMasterKey(KeyRing& ring, PersonKeys& keys, store::Database& db,
                                       Random& random) {
  CHECK(&keys.ring() == &ring, "RotateMasterKey needs the PersonKeys of the ring it rotates");
  const std::vector<uint32_t> before = ring.versions();
  // More than one version means an earlier rotation stopped after AddVersion: finish that one
  // rather than add a further version.
  if (before.size() == 1) RETURN_IF_ERROR(ring.AddVersion(random));
  RotationReport report{
      .old_version = before.front(), .new_version = ring.current_version(), .keys_rewrapped = 0};
  ASSIGN_OR_RETURN(report.keys_rewrapped, keys.RewrapAll(db));
  int64_t remaining = 0;
  RETURN_IF_ERROR(db.Read([&](store::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(remaining, keys.CountNotCurrent(tx));
    return Status::Ok();
  }));
  if (remaining != 0) {
    return AbortedError(fmt::format(
        "{} data keys are still under an old master key (written during the rotation?); run the "
        "rotation again",
        remaining));
  }
  RETURN_IF_ERROR(ring.RetireOldVersions());
  return report;
}

}  // namespace banyan::privacy
