// /api/v1/staff: staff accounts, scoped to the caller's branch subtree.

#include "api/handlers.h"
#include "api/serialize.h"

namespace banyan::api {
namespace {

Result<auth::Role> ReadRole(const JsonObjectReader& reader) {
  ASSIGN_OR_RETURN(std::string name, reader.String("role", 32));
  auto role = auth::ParseRole(name);
  if (!role) {
    return InvalidArgumentError(
        "unknown role (admin, analyst, marketer, branch_manager, relationship_manager, auditor)",
        reader.PointerTo("role"));
  }
  return *role;
}

Result<std::optional<auth::Role>> ReadOptionalRole(const JsonObjectReader& reader) {
  if (!reader.Has("role")) return std::optional<auth::Role>();
  ASSIGN_OR_RETURN(auth::Role role, ReadRole(reader));
  return std::optional<auth::Role>(role);
}

}  // namespace

Result<http::Response> ListStaff(Call& call) {
  ASSIGN_OR_RETURN(PageParams page, ReadPageParams(call.request));
  auth::StaffFilter filter;
  ASSIGN_OR_RETURN(filter.branch_id, ReadIntQuery(call.request, "branch_id"));
  if (auto role = call.request.Query("role")) {
    filter.role = auth::ParseRole(*role);
    if (!filter.role) return InvalidArgumentError("unknown role", "?role");
  }
  if (auto status = call.request.Query("status")) filter.status = *status;
  if (auto q = call.request.Query("q")) filter.query = *q;
  ASSIGN_OR_RETURN(auto result,
                   call.deps.auth->staff().List(call.principal, filter, page.cursor, page.limit));
  Json items = Json::array();
  for (const auto& s : result.items) items.push_back(ToJson(s));
  return PageResponse(std::move(items), result.next_cursor);
}

Result<http::Response> CreateStaff(Call& call) {
  ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request));
  ASSIGN_OR_RETURN(auto reader, JsonObjectReader::Create(body));
  RETURN_IF_ERROR(reader.RejectUnknown(
      {"username", "display_name", "email", "password", "role", "branch_id", "locale"}));
  auth::StaffInput input;
  ASSIGN_OR_RETURN(input.username, reader.String("username", 64));
  ASSIGN_OR_RETURN(input.display_name, reader.String("display_name", 128));
  ASSIGN_OR_RETURN(auto email, reader.OptionalString("email", 254));
  input.email = email.value_or("");
  ASSIGN_OR_RETURN(input.password, reader.String("password", 256));
  ASSIGN_OR_RETURN(input.role, ReadRole(reader));
  ASSIGN_OR_RETURN(input.branch_id, reader.Int("branch_id", 1, INT64_MAX));
  ASSIGN_OR_RETURN(auto locale, reader.OptionalString("locale", 16));
  input.locale = locale.value_or("zh-CN");
  ASSIGN_OR_RETURN(auth::Staff staff,
                   call.deps.auth->staff().Create(call.principal, input, call.audit));
  http::Response response = JsonResponse(201, ToJson(staff));
  response.headers.Set("Location", "/api/v1/staff/" + std::to_string(staff.id));
  return response;
}

Result<http::Response> GetStaff(Call& call) {
  ASSIGN_OR_RETURN(int64_t id, ReadIdParam(call.request, "id"));
  ASSIGN_OR_RETURN(auth::Staff staff, call.deps.auth->staff().Get(call.principal, id));
  return JsonResponse(200, ToJson(staff));
}

Result<http::Response> UpdateStaff(Call& call) {
  ASSIGN_OR_RETURN(int64_t id, ReadIdParam(call.request, "id"));
  ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request));
  ASSIGN_OR_RETURN(auto reader, JsonObjectReader::Create(body));
  RETURN_IF_ERROR(
      reader.RejectUnknown({"display_name", "email", "role", "branch_id", "status", "locale"}));
  auth::StaffPatch patch;
  ASSIGN_OR_RETURN(patch.display_name, reader.OptionalString("display_name", 128));
  ASSIGN_OR_RETURN(patch.email, reader.OptionalString("email", 254));
  ASSIGN_OR_RETURN(patch.role, ReadOptionalRole(reader));
  ASSIGN_OR_RETURN(patch.branch_id, reader.OptionalInt("branch_id", 1, INT64_MAX));
  ASSIGN_OR_RETURN(patch.status, reader.OptionalString("status", 16));
  ASSIGN_OR_RETURN(patch.locale, reader.OptionalString("locale", 16));
  ASSIGN_OR_RETURN(auth::Staff staff,
                   call.deps.auth->staff().Update(call.principal, id, patch, call.audit));
  return JsonResponse(200, ToJson(staff));
}

Result<http::Response> SetStaffPassword(Call& call) {
  ASSIGN_OR_RETURN(int64_t id, ReadIdParam(call.request, "id"));
  ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request));
  ASSIGN_OR_RETURN(auto reader, JsonObjectReader::Create(body));
  RETURN_IF_ERROR(reader.RejectUnknown({"password"}));
  ASSIGN_OR_RETURN(std::string password, reader.String("password", 256));
  RETURN_IF_ERROR(call.deps.auth->staff().SetPassword(call.principal, id, password, call.audit));
  return http::Response::NoContent();
}

}  // namespace banyan::api
