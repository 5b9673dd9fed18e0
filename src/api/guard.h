// The guard: authentication, CSRF and permission checks, in one place for every route.
// Thread safety: stateless; safe from any thread.

#ifndef BANYAN_API_GUARD_H_
#define BANYAN_API_GUARD_H_

#include <optional>

#include "api/api.h"
#include "auth/permissions.h"
#include "auth/principal.h"
#include "http/message.h"

namespace banyan::api {

inline constexpr std::string_view kSessionCookie = "banyan_session";
inline constexpr std::string_view kCsrfHeader = "X-CSRF-Token";

enum class Access {
  kPublic,         // anyone, e.g. /healthz and login
  kAuthenticated,  // any authenticated staff member or API key
  kPermission,     // needs the route's permission
};

// Authenticates the request (session cookie, else `Authorization: Bearer <api key>`), checks
// the CSRF token on state-changing session requests, and checks `permission` when `access` is
// kPermission. Errors: Unauthenticated (401) or PermissionDenied (403).
Result<auth::Principal> Admit(const http::Request& request, ApiDeps& deps, Access access,
                              std::optional<auth::Permission> permission);

}  // namespace banyan::api

#endif  // BANYAN_API_GUARD_H_
