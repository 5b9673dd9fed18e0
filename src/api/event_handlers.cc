// /api/v1/events (the durable log, newest first, personal values masked) and /api/v1/tracking-plan
// (the plan in force, its counters and recent violations).

#include <charconv>

#include "api/handlers.h"
#include "base/encoding.h"
#include "base/time.h"
#include "customer/customer_service.h"
#include "customer/views.h"
#include "events/event_query.h"
#include "events/ingest.h"

namespace banyan::api {
namespace {

Result<std::optional<Timestamp>> TimeQuery(const http::Request& request, std::string_view name) {
  auto text = request.Query(name);
  if (!text) return std::optional<Timestamp>();
  auto t = ParseRfc3339(*text);
  if (!t.ok()) return InvalidArgumentError(t.status().message(), "?" + std::string(name));
  return std::optional<Timestamp>(*t);
}

Result<std::optional<uint64_t>> CursorQuery(const PageParams& page) {
  if (page.cursor.empty()) return std::optional<uint64_t>();
  auto decoded = Base64UrlDecode(page.cursor);
  uint64_t sequence = 0;
  if (decoded) {
    const auto [end, ec] =
        std::from_chars(decoded->data(), decoded->data() + decoded->size(), sequence);
    if (ec == std::errc() && end == decoded->data() + decoded->size()) {
      return std::optional<uint64_t>(sequence);
    }
  }
  return InvalidArgumentError("cursor is malformed", "?cursor");
}

}  // namespace

Result<http::Response> ListEvents(Call& call) {
  if (call.deps.ingestor == nullptr || call.deps.customers == nullptr) {
    return UnavailableError("event ingestion is not running");
  }
  const auto& graph = call.deps.customers->graph();
  ASSIGN_OR_RETURN(PageParams page, ReadPageParams(call.request));
  events::EventQuery query;
  query.limit = page.limit;
  ASSIGN_OR_RETURN(query.before_sequence, CursorQuery(page));
  query.name = call.request.Query("name");
  query.message_id = call.request.Query("message_id");
  if (auto id = call.request.Query("identifier")) {
    const auto colon = id->find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == id->size()) {
      return InvalidArgumentError("expected TYPE:VALUE, e.g. app_user_id:u123", "?identifier");
    }
    query.identifier = events::Identifier{id->substr(0, colon), id->substr(colon + 1)};
  }
  ASSIGN_OR_RETURN(query.from, TimeQuery(call.request, "from"));
  ASSIGN_OR_RETURN(query.to, TimeQuery(call.request, "to"));
  // The events of an erased customer are anonymous: they cannot be found by its identifiers.
  if (query.identifier && graph.IsErased(query.identifier->type, query.identifier->value)) {
    return PageResponse(Json::array(), "");
  }
  ASSIGN_OR_RETURN(events::EventPage result, events::QueryEvents(call.deps.ingestor->log(), query));
  Json items = Json::array();
  for (const auto& stored : result.items) {
    items.push_back(customer::EventJson(stored.sequence, stored.event, graph,
                                        &call.deps.customers->schema(), /*masked=*/true));
  }
  std::string next;
  if (result.next_before_sequence) {
    next = Base64UrlEncode(AsBytes(std::to_string(*result.next_before_sequence)));
  }
  return PageResponse(std::move(items), next);
}

Result<http::Response> GetTrackingPlan(Call& call) {
  if (call.deps.ingestor == nullptr) return UnavailableError("event ingestion is not running");
  const events::Ingestor& ingestor = *call.deps.ingestor;
  const auto& c = ingestor.plan_counters();
  Json recent = Json::array();
  for (const auto& v : ingestor.RecentViolations()) {
    recent.push_back({{"event", v.event},
                      {"path", v.path},
                      {"kind", events::ViolationKindName(v.kind)},
                      {"message", v.message}});
  }
  return JsonResponse(200, {{"plan", ingestor.plan().ToJson()},
                            {"counters",
                             {{"events_checked", c.events_checked.load()},
                              {"events_unplanned", c.events_unplanned.load()},
                              {"events_valid", c.events_valid.load()},
                              {"events_flagged", c.events_flagged.load()},
                              {"events_rejected", c.events_rejected.load()},
                              {"violations_missing", c.violations_missing.load()},
                              {"violations_wrong_type", c.violations_wrong_type.load()},
                              {"violations_unexpected", c.violations_unexpected.load()}}},
                            {"recent_violations", recent}});
}

}  // namespace banyan::api
