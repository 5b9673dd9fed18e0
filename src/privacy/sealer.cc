#include "privacy/sealer.h"

#include <sodium.h>

#include "base/check.h"
#include "privacy/internal/sodium.h"

namespace banyan::privacy {
namespace {

static_assert(kDataKeyBytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
static_assert(kSealedNonceBytes == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
static_assert(kSealedTagBytes == crypto_aead_xchacha20poly1305_ietf_ABYTES);
static_assert(kSealedOverheadBytes == 1 + kSealedNonceBytes + kSealedTagBytes);

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

DataKey::DataKey(std::span<const uint8_t, kDataKeyBytes> bytes) {
  internal::EnsureSodium();  // every Seal and Open needs a key, so this is early enough
  std::copy(bytes.begin(), bytes.end(), bytes_.begin());
}

DataKey::DataKey(const DataKey& other) : bytes_(other.bytes_) {}

DataKey& DataKey::operator=(const DataKey& other) {
  if (this != &other) {
    sodium_memzero(bytes_.data(), bytes_.size());
    bytes_ = other.bytes_;
  }
  return *this;
}

DataKey::~DataKey() { sodium_memzero(bytes_.data(), bytes_.size()); }

bool DataKey::operator==(const DataKey& other) const {
  return sodium_memcmp(bytes_.data(), other.bytes_.data(), bytes_.size()) == 0;
}

std::string Seal(const DataKey& key, std::string_view plaintext, std::string_view associated,
                 Random& random) {
  CHECK(plaintext.size() <= kSealedPlaintextBytesMax, "plaintext of {} bytes is over the limit",
        plaintext.size());
  std::string out(plaintext.size() + kSealedOverheadBytes, '\0');
  auto* bytes = reinterpret_cast<unsigned char*>(out.data());
  bytes[0] = kSealedFormatV1;
  unsigned char* nonce = bytes + 1;
  random.Fill(std::span<uint8_t>(nonce, kSealedNonceBytes));
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(bytes + 1 + kSealedNonceBytes, &written,
                                             Bytes(plaintext), plaintext.size(), Bytes(associated),
                                             associated.size(), nullptr, nonce, key.data());
  CHECK(written == plaintext.size() + kSealedTagBytes);
  return out;
}

Result<std::string> Open(const DataKey& key, std::string_view sealed, std::string_view associated) {
  if (sealed.size() < kSealedOverheadBytes) {
    return InvalidArgumentError(fmt::format("sealed value of {} bytes is shorter than {}",
                                            sealed.size(), kSealedOverheadBytes));
  }
  if (static_cast<uint8_t>(sealed[0]) != kSealedFormatV1) {
    return InvalidArgumentError(
        fmt::format("sealed value has unknown format byte {}",
                    static_cast<unsigned>(static_cast<uint8_t>(sealed[0]))));
  }
  const size_t plaintext_bytes = sealed.size() - kSealedOverheadBytes;
  if (plaintext_bytes > kSealedPlaintextBytesMax) {
    return InvalidArgumentError(
        fmt::format("sealed value of {} bytes is over the limit", sealed.size()));
  }
  std::string out(plaintext_bytes, '\0');
  unsigned long long written = 0;
  const std::string_view nonce = sealed.substr(1, kSealedNonceBytes);
  const std::string_view box = sealed.substr(1 + kSealedNonceBytes);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(out.data()), &written, nullptr, Bytes(box), box.size(),
          Bytes(associated), associated.size(), Bytes(nonce), key.data()) != 0) {
    return DataLossError("sealed value failed authentication");
  }
  CHECK(written == plaintext_bytes);
  return out;
}

}  // namespace banyan::privacy
