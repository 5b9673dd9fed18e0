// Request-signing helpers the provider adapters share: SHA-256, HMAC-SHA-256 (libsodium), hex,
// RFC 3986 percent-encoding and form bodies, and constant-time comparison for callback tokens.
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
std::string Hex(std::string_view bytes);
// RFC 3986 unreserved characters kept, everything else %XX (upper case).
std::string PercentEncode(std::string_view text);
// "a=1&b=2", each name and value percent-encoded, in the given order.
std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& fields);
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace banyan::messaging::internal

#endif  // BANYAN_MESSAGING_INTERNAL_SIGNING_H_
