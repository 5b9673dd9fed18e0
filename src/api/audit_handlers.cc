// /api/v1/audit: the append-only, hash-chained audit log, for auditors and admins.

#include "api/handlers.h"
#include "api/serialize.h"
#include "base/time.h"

namespace banyan::api {
namespace {

Result<std::optional<Timestamp>> ReadTimeQuery(const http::Request& request,
                                               std::string_view name) {
  auto text = request.Query(name);
  if (!text) return std::optional<Timestamp>();
  auto t = ParseRfc3339(*text);
  if (!t.ok()) return InvalidArgumentError(t.status().message(), "?" + std::string(name));
  return std::optional<Timestamp>(*t);
}

}  // namespace

Result<http::Response> ListAudit(Call& call) {
  ASSIGN_OR_RETURN(PageParams page, ReadPageParams(call.request));
  auth::AuditFilter filter;
  ASSIGN_OR_RETURN(filter.actor_id, ReadIntQuery(call.request, "actor_id"));
  filter.action = call.request.Query("action").value_or("");
  filter.target_type = call.request.Query("target_type").value_or("");
  filter.target_id = call.request.Query("target_id").value_or("");
  filter.outcome = call.request.Query("outcome").value_or("");
  ASSIGN_OR_RETURN(filter.from, ReadTimeQuery(call.request, "from"));
  ASSIGN_OR_RETURN(filter.to, ReadTimeQuery(call.request, "to"));
  ASSIGN_OR_RETURN(auto result,
                   call.deps.auth->audit().Query(call.principal, filter, page.cursor, page.limit));
  Json items = Json::array();
  for (const auto& e : result.items) items.push_back(ToJson(e));
  return PageResponse(std::move(items), result.next_cursor);
}

Result<http::Response> VerifyAudit(Call& call) {
  ASSIGN_OR_RETURN(auto report, call.deps.auth->audit().Verify());
  return JsonResponse(200,
                      {{"ok", report.ok},
                       {"entries", report.entries},
                       {"first_bad_seq", report.ok ? Json(nullptr) : Json(report.first_bad_seq)},
                       {"reason", report.reason}});
}

}  // namespace banyan::api
