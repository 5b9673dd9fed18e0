// JSON forms of the auth module's objects (and a customer list row), as the API returns them
// (snake_case, RFC 3339 UTC). Never includes secrets or password hashes. Thread safety: stateless.

#ifndef BANYAN_API_SERIALIZE_H_
#define BANYAN_API_SERIALIZE_H_

#include "auth/api_keys.h"
#include "auth/audit.h"
#include "auth/org.h"
#include "auth/principal.h"
#include "auth/staff.h"
#include "base/json.h"
#include "customer/customer_service.h"

namespace banyan::api {

Json ToJson(const auth::Staff& staff);
Json ToJson(const auth::Branch& branch);
Json ToJson(const auth::ApiKey& key);
Json ToJson(const auth::AuditEntry& entry);
Json PrincipalJson(const auth::Principal& principal);
Json OptionalTime(const std::optional<Timestamp>& t);
// {"one_id", "profile" (masked), "home_branch_id", "rm_id"}: a customer list row.
Json ToJson(const customer::CustomerSummary& summary);

}  // namespace banyan::api

#endif  // BANYAN_API_SERIALIZE_H_
