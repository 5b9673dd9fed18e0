#include "auth/auth.h"

#include <utility>

namespace banyan::auth {

AuthSystem::AuthSystem(store::Database& db, const Clock& clock, Random& random,
                       const Config::Auth& config, std::string audit_key,
                       PasswordHashCost password_cost)
    : audit_(db, clock, std::move(audit_key)),
      branches_(db, clock, audit_, &epoch_),
      staff_(db, clock, audit_, config, password_cost, &epoch_),
      sessions_(db, clock, random, audit_, config, password_cost, &epoch_),
      api_keys_(db, clock, random, audit_, &epoch_) {}

}  // namespace banyan::auth
