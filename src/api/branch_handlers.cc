// /api/v1/branches: the organisation tree, scoped to the caller's subtree.

#include "api/handlers.h"
#include "api/serialize.h"

namespace banyan::api {
namespace {

Result<auth::BranchInput> ReadBranch(const Json& body, bool create) {
  ASSIGN_OR_RETURN(auto reader, JsonObjectReader::Create(body));
  RETURN_IF_ERROR(reader.RejectUnknown(
      {"parent_id", "code", "name", "kind", "address", "latitude", "longitude"}));
  auth::BranchInput input;
  ASSIGN_OR_RETURN(input.parent_id, reader.OptionalInt("parent_id", 1, INT64_MAX));
  ASSIGN_OR_RETURN(input.code, reader.OptionalString("code", 32));
  ASSIGN_OR_RETURN(input.name, reader.OptionalString("name", 128));
  ASSIGN_OR_RETURN(input.kind, reader.OptionalString("kind", 16));
  ASSIGN_OR_RETURN(input.address, reader.OptionalString("address", 256));
  ASSIGN_OR_RETURN(input.latitude, reader.OptionalNumber("latitude"));
  ASSIGN_OR_RETURN(input.longitude, reader.OptionalNumber("longitude"));
  if (create) {
    for (std::string_view key : {"code", "name", "kind", "address", "latitude", "longitude"}) {
      if (!reader.Has(key)) return InvalidArgumentError("is required", reader.PointerTo(key));
    }
  }
  return input;
}

}  // namespace

Result<http::Response> ListBranches(Call& call) {
  ASSIGN_OR_RETURN(PageParams page, ReadPageParams(call.request));
  ASSIGN_OR_RETURN(auto parent_id, ReadIntQuery(call.request, "parent_id"));
  ASSIGN_OR_RETURN(auto result, call.deps.auth->branches().List(call.principal, parent_id,
                                                                page.cursor, page.limit));
  Json items = Json::array();
  for (const auto& b : result.items) items.push_back(ToJson(b));
  return PageResponse(std::move(items), result.next_cursor);
}

Result<http::Response> CreateBranch(Call& call) {
  ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request));
  ASSIGN_OR_RETURN(auth::BranchInput input, ReadBranch(body, /*create=*/true));
  ASSIGN_OR_RETURN(auth::Branch branch,
                   call.deps.auth->branches().Create(call.principal, input, call.audit));
  http::Response response = JsonResponse(201, ToJson(branch));
  response.headers.Set("Location", "/api/v1/branches/" + std::to_string(branch.id));
  return response;
}

Result<http::Response> GetBranch(Call& call) {
  ASSIGN_OR_RETURN(int64_t id, ReadIdParam(call.request, "id"));
  ASSIGN_OR_RETURN(auth::Branch branch, call.deps.auth->branches().Get(call.principal, id));
  return JsonResponse(200, ToJson(branch));
}

Result<http::Response> UpdateBranch(Call& call) {
  ASSIGN_OR_RETURN(int64_t id, ReadIdParam(call.request, "id"));
  ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request));
  ASSIGN_OR_RETURN(auth::BranchInput patch, ReadBranch(body, /*create=*/false));
  ASSIGN_OR_RETURN(auth::Branch branch,
                   call.deps.auth->branches().Update(call.principal, id, patch, call.audit));
  return JsonResponse(200, ToJson(branch));
}

}  // namespace banyan::api
