// PersonKeys: one random data key per person, the key every personal value of theirs is sealed
// under, and the key rotation procedure.
//
// A data key is stored wrapped — sealed (sealer.h) under the key ring's current master key with
// associated data "person_key/<id>/<version>" — in table person_key (0002_privacy.sql).
// Deleting the row ("shredding") makes every value sealed under the key unrecoverable, including
// copies in old WAL frames and backups: that is how a person is erased under PIPL.
//
// Unwrapped keys are not cached: a cache cannot know whether the transaction that wrote or read
// a row commits, and a key cached from a rolled-back Create would seal values no row can open.
// An unwrap costs about a microsecond, less than the row read it follows.
//
// Used by: identity, profile, `banyan privacy rotate-key`.
// Thread safety: safe from any thread if `random` is (SecureRandom is); the ring must outlive
// this object.

#ifndef BANYAN_PRIVACY_PERSON_KEYS_H_
#define BANYAN_PRIVACY_PERSON_KEYS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/random.h"
#include "base/result.h"
#include "privacy/keyring.h"
#include "privacy/sealer.h"
#include "store/database.h"

namespace banyan::privacy {

inline constexpr int64_t kRewrapBatchRowsMax = 100'000;

// "person_key/<id>/<version>": the associated data of a wrapped person key.
std::string PersonKeyAssociatedData(int64_t person_id, uint32_t version);

class PersonKeys {
 public:
  PersonKeys(const KeyRing& ring, Random& random, const Clock& clock);

  // A new random key for `person_id`, stored in `tx`. AlreadyExists if the person has one;
  // InvalidArgument("person_id") unless person_id > 0.
  Result<DataKey> Create(store::Transaction& tx, int64_t person_id);
  // NotFound("person <id> has no data key") when absent or shredded; FailedPrecondition when the
  // key is wrapped under a version the ring no longer holds; DataLoss when it fails to unwrap.
  Result<DataKey> Get(store::Transaction& tx, int64_t person_id);
  Result<DataKey> GetOrCreate(store::Transaction& tx, int64_t person_id);
  // Deletes the person's key. OK when there is none (erasure may be re-run).
  Status Shred(store::Transaction& tx, int64_t person_id);
  // Re-wraps every person key not under the current version, in transactions of `batch_rows`
  // (1..kRewrapBatchRowsMax). Returns how many keys were rewrapped. Safe to re-run after a crash.
  Result<int64_t> RewrapAll(store::Database& db, int64_t batch_rows = 10'000);
  // How many person keys are wrapped under a version other than the current one.
  Result<int64_t> CountNotCurrent(store::Transaction& tx);

  const KeyRing& ring() const { return ring_; }

 private:
  Result<int64_t> RewrapBatch(store::Transaction& tx, uint32_t version, const DataKey& master,
                              int64_t after_person_id, int64_t batch_rows, int64_t& last_person_id);
  Result<DataKey> UnwrapStored(int64_t person_id, int64_t stored_version,
                               std::string_view wrapped) const;

  const KeyRing& ring_;
  Random& random_;
  const Clock& clock_;
};

// Key rotation, the whole procedure behind `banyan privacy rotate-key`: AddVersion, RewrapAll,
// RetireOldVersions. Crash-safe: when the ring already holds more than one version (an earlier
// rotation stopped after AddVersion), no version is added and the interrupted rotation is
// finished. Values sealed under person keys are not touched. Run with the server stopped.
// REQUIRES: &keys.ring() == &ring.
struct RotationReport {
  uint32_t old_version;
  uint32_t new_version;
  int64_t keys_rewrapped;
};
Result<RotationReport> RotateMasterKey(KeyRing& ring, PersonKeys& keys, store::Database& db,
                                       Random& random);

}  // namespace banyan::privacy

#endif  // BANYAN_PRIVACY_PERSON_KEYS_H_
