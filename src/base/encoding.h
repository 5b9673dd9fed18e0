// Byte encodings: hex and unpadded base64url, for tokens, hashes and ids in text.
// Thread safety: stateless functions.

#ifndef BANYAN_BASE_ENCODING_H_
#define BANYAN_BASE_ENCODING_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/random.h"

namespace banyan {

std::string HexEncode(std::span<const uint8_t> bytes);
std::optional<std::string> HexDecode(std::string_view hex);
std::string Base64UrlEncode(std::span<const uint8_t> bytes);  // no padding
std::optional<std::string> Base64UrlDecode(std::string_view text);
// Standard alphabet, padding optional on input (used by wire protocols).
std::optional<std::string> Base64Decode(std::string_view text);

// `bytes` random bytes as unpadded base64url: an unguessable token. Use SecureRandom.
std::string RandomToken(Random& random, size_t bytes);

inline std::span<const uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace banyan

#endif  // BANYAN_BASE_ENCODING_H_
