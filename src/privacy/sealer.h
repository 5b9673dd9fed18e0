// Sealing: authenticated encryption of one personal value under one key.
//
// A sealed value is XChaCha20-Poly1305-IETF (libsodium) with a random 24-byte nonce:
//
//   format byte 0x01 | nonce (24 bytes) | ciphertext (plaintext size) | tag (16 bytes)
//
// `associated` data binds the ciphertext to where it is stored ("identifier/<person>/<type>",
// "profile/<person>", "person_key/<id>/<version>"): a value copied to another row fails to open.
// The same functions wrap person keys under the key ring's master keys (person_keys.h).
// See docs/privacy.md for the conventions.
//
// Used by: person_keys, identity, profile. Thread safety: DataKey is a value; Seal and Open are
// safe from any thread (Seal draws from `random`, which must then be thread-safe too).

#ifndef BANYAN_PRIVACY_SEALER_H_
#define BANYAN_PRIVACY_SEALER_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/random.h"
#include "base/result.h"

namespace banyan::privacy {

inline constexpr size_t kDataKeyBytes = 32;
inline constexpr uint8_t kSealedFormatV1 = 0x01;
inline constexpr size_t kSealedNonceBytes = 24;
inline constexpr size_t kSealedTagBytes = 16;
inline constexpr size_t kSealedOverheadBytes = 1 + 24 + 16;  // format byte, nonce, tag
// The largest plaintext Seal accepts (a profile document is far smaller); Open refuses larger.
inline constexpr size_t kSealedPlaintextBytesMax = 16 << 20;

// A 32-byte symmetric key: a person's data key, or a master key of the key ring. Zeroes itself
// (sodium_memzero) on destruction and before being overwritten; copyable.
class DataKey {
 public:
  explicit DataKey(std::span<const uint8_t, kDataKeyBytes> bytes);
  DataKey(const DataKey& other);
  DataKey& operator=(const DataKey& other);
  ~DataKey();

  const uint8_t* data() const { return bytes_.data(); }
  std::span<const uint8_t, kDataKeyBytes> bytes() const { return bytes_; }
  // Constant-time comparison (tests and rotation checks).
  bool operator==(const DataKey& other) const;

 private:
  std::array<uint8_t, kDataKeyBytes> bytes_;
};

// Seals `plaintext`. The output is plaintext.size() + kSealedOverheadBytes long.
// REQUIRES: plaintext.size() <= kSealedPlaintextBytesMax.
std::string Seal(const DataKey& key, std::string_view plaintext, std::string_view associated,
                 Random& random);

// Opens a value made by Seal with the same key and associated data. DataLoss ("sealed value
// failed authentication") on a wrong key, wrong associated data or tampering; InvalidArgument if
// too short or the format byte is unknown.
Result<std::string> Open(const DataKey& key, std::string_view sealed, std::string_view associated);

}  // namespace banyan::privacy

#endif  // BANYAN_PRIVACY_SEALER_H_
