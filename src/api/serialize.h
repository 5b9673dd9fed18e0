// JSON forms of the auth module's objects, as the API returns them (snake_case, RFC 3339 UTC).
// Never includes secrets or password hashes.
// Thread safety: stateless.

#ifndef BANYAN_API_SERIALIZE_H_
#define BANYAN_API_SERIALIZE_H_

#include "auth/api_keys.h"
#include "auth/audit.h"
#include "auth/org.h"
#include "auth/principal.h"
#include "auth/staff.h"
#include "base/json.h"

namespace banyan::api {

Json ToJson(const auth::Staff& staff);
Json ToJson(const auth::Branch& branch);
Json ToJson(const auth::ApiKey& key);
Json ToJson(const auth::AuditEntry& entry);
Json PrincipalJson(const auth::Principal& principal);
Json OptionalTime(const std::optional<Timestamp>& t);

}  // namespace banyan::api

#endif  // BANYAN_API_SERIALIZE_H_
