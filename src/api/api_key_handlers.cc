// /api/v1/api-keys: integration keys and ingest write keys. The secret is returned once, at
// creation, and never again.

#include "api/handlers.h"
#include "api/serialize.h"
#include "base/time.h"

namespace banyan::api {

Result<http::Response> ListApiKeys(Call& call) {
  ASSIGN_OR_RETURN(PageParams page, ReadPageParams(call.request));
  ASSIGN_OR_RETURN(auto result,
                   call.deps.auth->api_keys().List(call.principal, page.cursor, page.limit));
  Json items = Json::array();
  for (const auto& k : result.items) items.push_back(ToJson(k));
  return PageResponse(std::move(items), result.next_cursor);
}

Result<http::Response> CreateApiKey(Call& call) {
  ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request));
  ASSIGN_OR_RETURN(auto reader, JsonObjectReader::Create(body));
  RETURN_IF_ERROR(reader.RejectUnknown({"name", "kind", "permissions", "branch_id", "expires_at"}));
  auth::ApiKeyInput input;
  ASSIGN_OR_RETURN(input.name, reader.String("name", 128));
  ASSIGN_OR_RETURN(input.kind, reader.String("kind", 16));
  if (input.kind != "api" && input.kind != "write") {
    return InvalidArgumentError("must be \"api\" or \"write\"", "/kind");
  }
  if (reader.Has("permissions")) {
    const Json& list = body["permissions"];
    if (!list.is_array())
      return InvalidArgumentError("expected an array of strings", "/permissions");
    for (size_t i = 0; i < list.size(); ++i) {
      if (!list[i].is_string() || !auth::ParsePermission(list[i].get<std::string>())) {
        return InvalidArgumentError("unknown permission", JsonPointer("/permissions", i));
      }
      input.permissions.push_back(list[i].get<std::string>());
    }
  }
  ASSIGN_OR_RETURN(input.branch_id, reader.OptionalInt("branch_id", 1, INT64_MAX));
  ASSIGN_OR_RETURN(auto expires, reader.OptionalString("expires_at", 40));
  if (expires) {
    auto at = ParseRfc3339(*expires);
    if (!at.ok()) return InvalidArgumentError(at.status().message(), "/expires_at");
    input.expires_at = *at;
  }
  ASSIGN_OR_RETURN(auto created,
                   call.deps.auth->api_keys().Create(call.principal, input, call.audit));
  Json out = ToJson(created.key);
  out["secret"] = created.secret;
  http::Response response = JsonResponse(201, out);
  response.headers.Set("Cache-Control", "no-store");
  return response;
}

Result<http::Response> RevokeApiKey(Call& call) {
  ASSIGN_OR_RETURN(int64_t id, ReadIdParam(call.request, "id"));
  RETURN_IF_ERROR(call.deps.auth->api_keys().Revoke(call.principal, id, call.audit));
  return http::Response::NoContent();
}

}  // namespace banyan::api
