#include "api/guard.h"

#include <fmt/format.h>
#include <sodium.h>

namespace banyan::api {
namespace {

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

Result<auth::Principal> Authenticate(const http::Request& request, ApiDeps& deps, bool* session) {
  *session = false;
  const std::string_view cookie = request.Cookie(kSessionCookie);
  if (!cookie.empty()) {
    *session = true;
    return deps.auth->sessions().Authenticate(cookie);
  }
  const std::string_view authorization = request.headers.Get("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() > kBearer.size() && authorization.substr(0, kBearer.size()) == kBearer) {
    return deps.auth->api_keys().Authenticate(authorization.substr(kBearer.size()));
  }
  return UnauthenticatedError(
      "authentication required: log in or send an API key as a Bearer token");
}

}  // namespace

Result<auth::Principal> Admit(const http::Request& request, ApiDeps& deps, Access access,
                              std::optional<auth::Permission> permission) {
  if (access == Access::kPublic) return auth::Principal::System();
  bool session = false;
  ASSIGN_OR_RETURN(auth::Principal principal, Authenticate(request, deps, &session));
  // A cookie is sent by the browser on its own; the CSRF token proves the request came from our
  // console, which read it from the login response. API keys are never sent automatically.
  if (session && http::IsStateChanging(request.method) &&
      !ConstantTimeEquals(request.headers.Get(kCsrfHeader), principal.csrf_token)) {
    return PermissionDeniedError(
        fmt::format("missing or wrong {} header for a state-changing request", kCsrfHeader));
  }
  if (access == Access::kPermission && permission && !principal.Can(*permission)) {
    return PermissionDeniedError(
        fmt::format("this requires the {} permission", auth::PermissionName(*permission)));
  }
  return principal;
}

}  // namespace banyan::api
