// Request-signing helpers the provider adapters share: SHA-256, HMAC-SHA-256 (libsodium), SHA-1
// and HMAC-SHA-1 (OpenSSL libcrypto: libsodium has no SHA-1, and Aliyun's RPC signature and
// WeChat's callback signature are SHA-1), hex, base64, RFC 3986 percent-encoding and form bodies,
// Aliyun's RPC signature, and constant-time comparison for callback tokens.
// Thread safety: stateless functions.

#ifndef BANYAN_MESSAGING_INTERNAL_SIGNING_H_
#define BANYAN_MESSAGING_INTERNAL_SIGNING_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace banyan::messaging::internal {

std::string Sha256Hex(std::string_view data);
// The raw 32-byte MAC.
std::string HmacSha256(std::string_view key, std::string_view data);
// The raw 20-byte MAC (OpenSSL).
std::string HmacSha1(std::string_view key, std::string_view data);
// SHA-1 of `data` as lower-case hex (OpenSSL).
std::string Sha1Hex(std::string_view data);
std::string Hex(std::string_view bytes);
// Standard base64 with padding.
std::string Base64(std::string_view bytes);
// RFC 3986 unreserved characters kept, everything else %XX (upper case).
std::string PercentEncode(std::string_view text);
// "a=1&b=2", each name and value percent-encoded, in the given order.
std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& fields);
// Aliyun's RPC signature (SignatureVersion 1.0, SignatureMethod HMAC-SHA1): the fields (every
// request parameter except Signature) sorted by name and form-encoded with PercentEncode (space
// %20, * %2A, ~ kept) into the canonical query; the string to sign is
// "<method>&%2F&<PercentEncode(canonical)>"; the signature is base64(HMAC-SHA1(secret + "&",
// string to sign)).
std::string AliyunRpcSignature(std::string_view method,
                               std::vector<std::pair<std::string, std::string>> fields,
                               std::string_view access_key_secret);
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace banyan::messaging::internal

#endif  // BANYAN_MESSAGING_INTERNAL_SIGNING_H_
