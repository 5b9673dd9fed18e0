#include "http/internal/request_id.h"

#include <array>

#include "base/encoding.h"

namespace banyan::http::internal {

bool IsAcceptableRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (const char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

RequestIdGenerator::RequestIdGenerator(Random& random) {
  std::array<uint8_t, 6> bytes;  // 48 bits: 8 base64url characters
  random.Fill(bytes);
  prefix_ = Base64UrlEncode(bytes);
}

std::string RequestIdGenerator::Next() {
  static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  uint64_t n = counter_.fetch_add(1, std::memory_order_relaxed);
  char digits[16];  // base 36 of a 64-bit number fits in 13
  size_t length = 0;
  do {
    digits[length++] = kDigits[n % 36];
    n /= 36;
  } while (n != 0);
  std::string id;
  id.reserve(prefix_.size() + 1 + length);
  id += prefix_;
  id.push_back('-');
  while (length > 0) id.push_back(digits[--length]);
  return id;
}

}  // namespace banyan::http::internal
