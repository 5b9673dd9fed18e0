#include "auth/password.h"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <semaphore>

#include "auth/internal/crypto.h"
#include "auth/internal/rows.h"

namespace banyan::auth {
namespace {

// The most common passwords in published breach corpora, English and Chinese, that are long
// enough to pass a lowered minimum length. Compared ignoring ASCII case.
constexpr std::array<std::string_view, 64> kCommonPasswords = {
    "123456",       "123456789",     "12345678",     "1234567890",    "12345678910",
    "123456789012", "1234567890123", "111111111111", "000000000000",  "123123123123",
    "password",     "password1",     "password12",   "password123",   "password1234",
    "passw0rd",     "p@ssw0rd",      "p@ssword123",  "qwerty",        "qwerty123",
    "qwertyuiop",   "qwertyuiop123", "qwerty123456", "1q2w3e4r",      "1q2w3e4r5t6y",
    "1qaz2wsx",     "1qaz2wsx3edc",  "1qaz@wsx",     "zaq12wsx",      "abc123",
    "abc123456",    "abcd1234",      "abcdefg123",   "a123456",       "a123456789",
    "aa123456",     "aa12345678",    "iloveyou",     "iloveyou1314",  "woaini1314",
    "woaini521",    "5201314",       "5201314520",   "1314520",       "admin",
    "admin123",     "admin12345",    "admin123456",  "administrator", "welcome",
    "welcome123",   "welcome2024",   "changeme",     "changeme123",   "letmein",
    "letmein123",   "sunshine",      "monkey",       "dragon",        "football",
    "baseball",     "princess",      "superman",     "trustno1",
};

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return out;
}

// Bounds memory: each Argon2id computation allocates memlimit bytes.
std::counting_semaphore<kConcurrentHashesMax>& HashSlots() {
  static std::counting_semaphore<kConcurrentHashesMax> slots(kConcurrentHashesMax);
  return slots;
}

class HashSlot {
 public:
  HashSlot() { HashSlots().acquire(); }
  ~HashSlot() { HashSlots().release(); }
  HashSlot(const HashSlot&) = delete;
  HashSlot& operator=(const HashSlot&) = delete;
};

}  // namespace

PasswordHashCost PasswordHashCost::Interactive() {
  return {crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE, crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE};
}

PasswordHashCost PasswordHashCost::Minimum() {
  return {crypto_pwhash_argon2id_OPSLIMIT_MIN, crypto_pwhash_argon2id_MEMLIMIT_MIN};
}

Status CheckPasswordPolicy(std::string_view password, std::string_view username, int64_t length_min,
                           std::string field) {
  if (password.size() > kPasswordBytesMax) {
    return InvalidArgumentError(fmt::format("must be at most {} bytes", kPasswordBytesMax), field);
  }
  if (static_cast<int64_t>(internal::CodePointCount(password)) < length_min) {
    return InvalidArgumentError(fmt::format("must be at least {} characters", length_min), field);
  }
  const std::string lower = AsciiLower(password);
  if (!username.empty() && lower == AsciiLower(username)) {
    return InvalidArgumentError("must not be the username", field);
  }
  if (std::all_of(password.begin(), password.end(), [&](char c) { return c == password[0]; })) {
    return InvalidArgumentError("must not repeat a single character", field);
  }
  if (std::find(kCommonPasswords.begin(), kCommonPasswords.end(), lower) !=
      kCommonPasswords.end()) {
    return InvalidArgumentError("is one of the most common passwords; choose another", field);
  }
  return Status::Ok();
}

Result<std::string> HashPassword(std::string_view password, const PasswordHashCost& cost) {
  internal::EnsureSodium();
  std::array<char, crypto_pwhash_STRBYTES> out{};
  HashSlot slot;
  if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(), cost.opslimit,
                            cost.memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return ResourceExhaustedError("not enough memory to hash the password; retry later");
  }
  return std::string(out.data());
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
  internal::EnsureSodium();
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  std::array<char, crypto_pwhash_STRBYTES> terminated{};
  std::copy(hash.begin(), hash.end(), terminated.begin());
  HashSlot slot;
  return crypto_pwhash_str_verify(terminated.data(), password.data(), password.size()) == 0;
}

bool PasswordNeedsRehash(std::string_view hash, const PasswordHashCost& cost) {
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return true;
  std::array<char, crypto_pwhash_STRBYTES> terminated{};
  std::copy(hash.begin(), hash.end(), terminated.begin());
  return crypto_pwhash_str_needs_rehash(terminated.data(), cost.opslimit, cost.memlimit) != 0;
}

}  // namespace banyan::auth
