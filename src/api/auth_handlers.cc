// /api/v1/auth/login, /api/v1/auth/logout and /api/v1/me.

#include <fmt/format.h>

#include "api/guard.h"
#include "api/handlers.h"
#include "api/serialize.h"
#include "base/time.h"

namespace banyan::api {
namespace {

constexpr size_t kUsernameBytesMax = 64;
constexpr size_t kPasswordBytesMax = 256;

std::string SessionCookie(const Config& config, std::string_view token, int64_t max_age_s) {
  return fmt::format("{}={}; Path=/; Max-Age={}; HttpOnly; SameSite=Strict{}", kSessionCookie,
                     token, max_age_s, config.auth.secure_cookies ? "; Secure" : "");
}

}  // namespace

Result<http::Response> Login(Call& call) {
  ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request));
  ASSIGN_OR_RETURN(auto reader, JsonObjectReader::Create(body));
  RETURN_IF_ERROR(reader.RejectUnknown({"username", "password"}));
  ASSIGN_OR_RETURN(std::string username, reader.String("username", kUsernameBytesMax));
  ASSIGN_OR_RETURN(std::string password, reader.String("password", kPasswordBytesMax));
  ASSIGN_OR_RETURN(auth::LoginResult login,
                   call.deps.auth->sessions().Login(username, password, call.audit));
  const auto max_age_s = (login.expires_at - call.deps.clock->Now()) / std::chrono::seconds(1);
  Json out = {{"principal", PrincipalJson(login.principal)},
              {"csrf_token", login.csrf_token},
              {"expires_at", FormatRfc3339(login.expires_at)}};
  http::Response response = JsonResponse(200, out);
  response.headers.Add("Set-Cookie", SessionCookie(*call.deps.config, login.token, max_age_s));
  response.headers.Set("Cache-Control", "no-store");
  return response;
}

Result<http::Response> Logout(Call& call) {
  RETURN_IF_ERROR(call.deps.auth->sessions().Logout(call.principal, call.audit));
  http::Response response = http::Response::NoContent();
  response.headers.Add("Set-Cookie", SessionCookie(*call.deps.config, "", 0));
  return response;
}

Result<http::Response> GetMe(Call& call) {
  Json out = {{"principal", PrincipalJson(call.principal)}};
  if (call.principal.kind == auth::PrincipalKind::kStaff) {
    ASSIGN_OR_RETURN(auth::Staff staff,
                     call.deps.auth->staff().Get(call.principal, call.principal.id));
    out["staff"] = ToJson(staff);
    if (!call.principal.csrf_token.empty()) out["csrf_token"] = call.principal.csrf_token;
  }
  http::Response response = JsonResponse(200, out);
  response.headers.Set("Cache-Control", "no-store");
  return response;
}

Result<http::Response> UpdateMe(Call& call) {
  if (call.principal.kind != auth::PrincipalKind::kStaff) {
    return PermissionDeniedError("only staff members have a profile to update");
  }
  ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request));
  ASSIGN_OR_RETURN(auto reader, JsonObjectReader::Create(body));
  RETURN_IF_ERROR(reader.RejectUnknown({"display_name", "locale"}));
  // Only personal fields: the staff service lets everyone edit those on their own record.
  auth::StaffPatch patch;
  ASSIGN_OR_RETURN(patch.display_name, reader.OptionalString("display_name", 128));
  ASSIGN_OR_RETURN(patch.locale, reader.OptionalString("locale", 16));
  ASSIGN_OR_RETURN(auth::Staff staff, call.deps.auth->staff().Update(
                                          call.principal, call.principal.id, patch, call.audit));
  return JsonResponse(200, ToJson(staff));
}

Result<http::Response> ChangeMyPassword(Call& call) {
  ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request));
  ASSIGN_OR_RETURN(auto reader, JsonObjectReader::Create(body));
  RETURN_IF_ERROR(reader.RejectUnknown({"current_password", "new_password"}));
  ASSIGN_OR_RETURN(std::string current, reader.String("current_password", kPasswordBytesMax));
  ASSIGN_OR_RETURN(std::string next, reader.String("new_password", kPasswordBytesMax));
  RETURN_IF_ERROR(
      call.deps.auth->staff().ChangeOwnPassword(call.principal, current, next, call.audit));
  // The staff service ends the caller's other sessions; this one stays valid.
  return http::Response::NoContent();
}

}  // namespace banyan::api
