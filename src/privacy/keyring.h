// KeyRing: the secret root of field encryption — versioned master keys and the look-up hash key.
//
// Two-level design (docs/privacy.md): every person has a random data key (person_keys.h) that
// seals their values; the data key is stored wrapped (sealed) under the ring's current master
// key. Older master key versions stay in the ring until every person key has been rewrapped
// under the current one (rotation), then they are retired. The hash key keys the look-up hashes
// of identifiers (keyed_hash.h); it is not rotated.
//
// The ring lives in one small text file (format in docs/privacy.md), created at first start with
// mode 0600 in a directory of mode 0700, refused when group or others may read it, and rewritten
// atomically (temporary file, fsync, rename, fsync of the directory). Key bytes are never logged;
// errors name the path and line only.
//
// Used by: person_keys, keyed_hash, `banyan privacy rotate-key`.
// Thread safety: all methods are safe from any thread; AddVersion and RetireOldVersions are
// serialised against each other and against readers. Only one process may change a ring file at
// a time: rotate keys with the server stopped.

#ifndef BANYAN_PRIVACY_KEYRING_H_
#define BANYAN_PRIVACY_KEYRING_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/random.h"
#include "base/result.h"
#include "privacy/sealer.h"

namespace banyan::privacy {

namespace internal {
struct HashState;  // the hash key's prepared BLAKE2b state (internal/hash_state.h)
}  // namespace internal

inline constexpr size_t kMasterKeyBytes = 32;
inline constexpr size_t kHashKeyBytes = 32;
inline constexpr size_t kKeyRingVersionsMax = 16;
// A ring file larger than this is refused unread (16 versions take about 1.6 KiB).
inline constexpr size_t kKeyRingFileBytesMax = 16 << 10;

class KeyRing {
 public:
  // Loads the ring at `path`, or creates it (and missing parent directories) with version 1 and
  // a fresh hash key from `random` (use SecureRandom). Fails with FailedPrecondition when the
  // file is readable by group or others, DataLoss when it is malformed or its checksum does not
  // match, Unavailable on I/O errors. `clock` stamps versions and must outlive the ring.
  static Result<std::unique_ptr<KeyRing>> LoadOrCreate(const std::string& path, Random& random,
                                                       const Clock& clock);
  ~KeyRing();
  KeyRing(const KeyRing&) = delete;
  KeyRing& operator=(const KeyRing&) = delete;

  uint32_t current_version() const;
  // Every version held, ascending (the current one is the last).
  std::vector<uint32_t> versions() const;
  const std::string& path() const { return path_; }

  // Adds a new master key version and makes it current (written to disk before returning).
  // FailedPrecondition when kKeyRingVersionsMax versions are held (finish a rotation first).
  Status AddVersion(Random& random);
  // Removes every version but the current one (written to disk before returning).
  // REQUIRES: every person key is wrapped under the current version (PersonKeys::RewrapAll).
  Status RetireOldVersions();

  // For person_keys: the current master key and its version, read together.
  std::pair<uint32_t, DataKey> CurrentMasterKey() const;
  // For person_keys: master key `version`; NotFound when the ring does not hold it.
  Result<DataKey> MasterKey(uint32_t version) const;
  // For keyed_hash: BLAKE2b state already keyed with the hash key. Never changes after load.
  const internal::HashState& hash_state() const { return *hash_state_; }

 private:
  struct Version {
    uint32_t version;
    int64_t created_at_us;
    std::array<uint8_t, kMasterKeyBytes> key;
  };
  KeyRing(std::string path, const Clock& clock);
  static Result<std::unique_ptr<KeyRing>> Load(const std::string& path, const Clock& clock);
  static Result<std::unique_ptr<KeyRing>> Create(const std::string& path, Random& random,
                                                 const Clock& clock);
  Status Parse(std::string_view text);
  std::string Serialise() const;  // REQUIRES: mutex_ held
  void PrepareHashState();
  static void Wipe(std::vector<Version>& versions);

  const std::string path_;
  const Clock& clock_;
  std::array<uint8_t, kHashKeyBytes> hash_key_{};
  std::unique_ptr<internal::HashState> hash_state_;
  mutable std::shared_mutex mutex_;
  std::vector<Version> versions_;  // ascending; the last is current; guarded by mutex_
};

}  // namespace banyan::privacy

#endif  // BANYAN_PRIVACY_KEYRING_H_
