// Passwords: the policy new passwords must meet, and Argon2id hashing (libsodium crypto_pwhash).
//
// Hashing at the production cost (PasswordHashCost::Interactive(): opslimit 2, 64 MiB) takes
// tens of milliseconds and 64 MiB of memory per call, so at most kConcurrentHashesMax hashes
// run at once in the process; further callers wait. Tests use PasswordHashCost::Minimum().
// Verification reads the cost from the stored hash string, so hashes made at any cost verify.
//
// Used by: StaffService (new passwords), SessionService (login). Thread safety: safe from any
// thread.

#ifndef BANYAN_AUTH_PASSWORD_H_
#define BANYAN_AUTH_PASSWORD_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace banyan::auth {

inline constexpr size_t kPasswordBytesMax = 1024;
inline constexpr int kConcurrentHashesMax = 2;

struct PasswordHashCost {
  uint64_t opslimit = 0;
  size_t memlimit = 0;
  // libsodium's INTERACTIVE limits: the production default; never weaker in production.
  static PasswordHashCost Interactive();
  // libsodium's minimum limits: for tests only.
  static PasswordHashCost Minimum();
};

// Checks `password` for the account `username`: at least `length_min` characters (Unicode code
// points), at most kPasswordBytesMax bytes, not the username (ignoring case), not one of the
// most common passwords, not a single repeated character. Errors are InvalidArgument at `field`.
Status CheckPasswordPolicy(std::string_view password, std::string_view username, int64_t length_min,
                           std::string field = "/password");

// An Argon2id hash string ("$argon2id$v=19$m=…") of `password` with a fresh salt.
Result<std::string> HashPassword(std::string_view password, const PasswordHashCost& cost);
// True when `password` matches `hash`. False for a malformed hash.
bool VerifyPassword(std::string_view hash, std::string_view password);
// True when `hash` was made at a cost other than `cost` (rehash on the next successful login).
bool PasswordNeedsRehash(std::string_view hash, const PasswordHashCost& cost);

}  // namespace banyan::auth

#endif  // BANYAN_AUTH_PASSWORD_H_
