#include "api/message_handlers.h"

#include <fmt/format.h>

#include <algorithm>

#include "api/call.h"
#include "api/guard.h"
#include "api/problem.h"
#include "base/logging.h"
#include "messaging/service.h"

namespace banyan::api {
namespace {

using auth::Permission;
using http::Method;
using messaging::MessagingService;

constexpr std::string_view kIdempotencyHeader = "Idempotency-Key";

MessagingService& Messaging(Call& call) { return *call.deps.messaging; }

std::optional<int64_t> StaffId(const auth::Principal& p) {
  if (p.kind == auth::PrincipalKind::kStaff) return p.id;
  return std::nullopt;
}

Json AcceptedJson(const messaging::Accepted& accepted) {
  const messaging::Message& m = accepted.message;
  return {{"id", m.id},
          {"state", messaging::StateName(m.state)},
          {"reason", m.reason},
          {"channel", m.channel.empty() ? Json() : Json(m.channel)},
          {"next_attempt_at", m.next_attempt_at ? Json(FormatRfc3339(*m.next_attempt_at)) : Json()},
          {"created", accepted.created}};
}

Result<http::Response> SendMessage(Call& call) {
  const std::string key(call.request.headers.Get(kIdempotencyHeader));
  if (key.empty()) {
    return InvalidArgumentError("the Idempotency-Key header is required");
  }
  ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request));
  ASSIGN_OR_RETURN(messaging::SendRequest request, messaging::ParseSendRequest(body));
  ASSIGN_OR_RETURN(auto accepted, Messaging(call).Send(call.principal, key, request));
  return JsonResponse(accepted.created ? 201 : 200, AcceptedJson(accepted));
}

// Each item is sent with key "<Idempotency-Key>:<index>"; one item's failure does not stop the
// others, and a retried batch with the same header returns the same messages. All items are
// written in one transaction (MessagingService::SendMany).
Result<http::Response> SendBatch(Call& call) {
  const std::string key(call.request.headers.Get(kIdempotencyHeader));
  if (key.empty() || key.size() > messaging::kIdempotencyKeyBytesMax - 8) {
    return InvalidArgumentError("the Idempotency-Key header is required (at most 120 bytes)");
  }
  ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request));
  ASSIGN_OR_RETURN(auto reader, JsonObjectReader::Create(body));
  RETURN_IF_ERROR(reader.RejectUnknown({"messages"}));
  if (!body.contains("messages") || !body["messages"].is_array()) {
    return InvalidArgumentError("expected an array", "/messages");
  }
  const Json& items = body["messages"];
  if (items.empty() || items.size() > messaging::kBatchMessagesMax) {
    return InvalidArgumentError(
        fmt::format("expected 1..{} messages", messaging::kBatchMessagesMax), "/messages");
  }
  std::vector<messaging::SendRequest> requests;
  for (size_t i = 0; i < items.size(); ++i) {
    ASSIGN_OR_RETURN(auto request,
                     messaging::ParseSendRequest(items[i], JsonPointer("/messages", i)));
    requests.push_back(std::move(request));
  }
  std::vector<std::string> keys;
  for (size_t i = 0; i < requests.size(); ++i) keys.push_back(fmt::format("{}:{}", key, i));
  // One write transaction for the whole batch (each item in a savepoint).
  auto results = Messaging(call).SendMany(call.principal, keys, requests);
  Json out = Json::array();
  for (size_t i = 0; i < requests.size(); ++i) {
    auto& accepted = results[i];
    if (accepted.ok()) {
      out.push_back(AcceptedJson(*accepted));
      continue;
    }
    const Status& s = accepted.status();
    if (HttpStatusFor(s.code()) >= 500) return s;
    out.push_back({{"error",
                    {{"status", HttpStatusFor(s.code())},
                     {"detail", s.message()},
                     {"pointer", s.field().empty() ? JsonPointer("/messages", i)
                                                   : JsonPointer("/messages", i) + s.field()}}}});
  }
  return JsonResponse(200, {{"items", out}});
}

Result<http::Response> GetMessage(Call& call) {
  ASSIGN_OR_RETURN(int64_t id, ReadIdParam(call.request, "id"));
  ASSIGN_OR_RETURN(Json message, Messaging(call).Get(call.principal, id));
  return JsonResponse(200, message);
}

// An optional RFC 3339 query parameter; InvalidArgument naming "?<name>".
Result<std::optional<Timestamp>> ReadTimeQuery(const http::Request& request,
                                               std::string_view name) {
  auto text = request.Query(name);
  if (!text) return std::optional<Timestamp>();
  auto at = ParseRfc3339(*text);
  if (!at.ok()) {
    return InvalidArgumentError("expected an RFC 3339 time", "?" + std::string(name));
  }
  return std::optional<Timestamp>(*at);
}

// Unknown query parameters are refused, naming the first (a typo must not widen a query).
Status RejectUnknownQuery(const http::Request& request,
                          std::initializer_list<std::string_view> known) {
  for (const auto& [name, value] : request.QueryParams()) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return InvalidArgumentError("unknown parameter", "?" + name);
    }
  }
  return Status::Ok();
}

// GET /api/v1/messages: newest first, paged; filters state, channel, purpose, template_id and
// the acceptance time range [from, to).
Result<http::Response> ListMessages(Call& call) {
  const http::Request& r = call.request;
  RETURN_IF_ERROR(RejectUnknownQuery(
      r, {"state", "channel", "purpose", "template_id", "from", "to", "limit", "cursor"}));
  ASSIGN_OR_RETURN(PageParams page, ReadPageParams(r));
  messaging::MessageListQuery query;
  query.limit = std::min(page.limit, messaging::kMessageListPageMax);
  if (auto state = r.Query("state")) {
    query.state = messaging::ParseState(*state);
    if (!query.state) return InvalidArgumentError("unknown message state", "?state");
  }
  if (auto channel = r.Query("channel")) {
    if (channel->empty() || channel->size() > messaging::kChannelNameBytesMax) {
      return InvalidArgumentError("expected a channel name", "?channel");
    }
    query.channel = *channel;
  }
  if (auto purpose = r.Query("purpose")) {
    query.purpose = messaging::ParsePurpose(*purpose);
    if (!query.purpose) return InvalidArgumentError("expected service or marketing", "?purpose");
  }
  ASSIGN_OR_RETURN(query.template_id, ReadIntQuery(r, "template_id"));
  if (query.template_id && *query.template_id < 1) {
    return InvalidArgumentError("expected a positive id", "?template_id");
  }
  ASSIGN_OR_RETURN(query.from, ReadTimeQuery(r, "from"));
  ASSIGN_OR_RETURN(query.to, ReadTimeQuery(r, "to"));
  if (query.from && query.to && *query.to <= *query.from) {
    return InvalidArgumentError("must be after from", "?to");
  }
  ASSIGN_OR_RETURN(Json out, Messaging(call).ListMessages(call.principal, query, page.cursor));
  return JsonResponse(200, out);
}

// GET /api/v1/messaging/stats: from defaults to 30 days before to, to to now.
Result<http::Response> MessageStats(Call& call) {
  const http::Request& r = call.request;
  RETURN_IF_ERROR(RejectUnknownQuery(r, {"from", "to", "group_by"}));
  messaging::StatsQuery query;
  ASSIGN_OR_RETURN(auto to, ReadTimeQuery(r, "to"));
  ASSIGN_OR_RETURN(auto from, ReadTimeQuery(r, "from"));
  query.to = to.value_or(Messaging(call).clock().Now());
  query.from = from.value_or(query.to - std::chrono::hours(24 * 30));
  if (auto group = r.Query("group_by")) {
    auto parsed = messaging::ParseStatsGroup(*group);
    if (!parsed) return InvalidArgumentError("expected channel, reason or day", "?group_by");
    query.group_by = *parsed;
  }
  ASSIGN_OR_RETURN(Json out, Messaging(call).Stats(call.principal, query));
  return JsonResponse(200, out);
}

Json TemplateJson(const messaging::Template& t) {
  return {{"id", t.id},
          {"name", t.name},
          {"channel", t.channel},
          {"purpose", messaging::PurposeName(t.purpose)},
          {"description", t.description},
          {"created_at", FormatRfc3339(t.created_at)},
          {"updated_at", FormatRfc3339(t.updated_at)}};
}

Json VersionJson(const messaging::TemplateVersion& v) {
  auto at = [](const std::optional<Timestamp>& t) { return t ? Json(FormatRfc3339(*t)) : Json(); };
  auto id = [](const std::optional<int64_t>& i) { return i ? Json(*i) : Json(); };
  return {{"version", v.version},
          {"state", messaging::VersionStateName(v.state)},
          {"body", v.body},
          {"variables", messaging::VariablesJson(v.variables)},
          {"created_by", id(v.created_by)},
          {"created_at", FormatRfc3339(v.created_at)},
          {"submitted_by", id(v.submitted_by)},
          {"submitted_at", at(v.submitted_at)},
          {"reviewed_by", id(v.reviewed_by)},
          {"reviewed_at", at(v.reviewed_at)},
          {"review_note", v.review_note}};
}

Result<Json> TemplateWithVersions(MessagingService& messaging, int64_t id) {
  Json out;
  RETURN_IF_ERROR(messaging.db().Read([&](store::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(auto t, messaging.templates().Get(tx, id));
    ASSIGN_OR_RETURN(auto versions, messaging.templates().Versions(tx, id));
    out = TemplateJson(t);
    out["versions"] = Json::array();
    for (const auto& v : versions) out["versions"].push_back(VersionJson(v));
    return Status::Ok();
  }));
  return out;
}

Result<http::Response> ListTemplates(Call& call) {
  ASSIGN_OR_RETURN(PageParams page, ReadPageParams(call.request));
  int64_t after = 0;
  if (!page.cursor.empty()) {
    try {
      after = std::stoll(page.cursor);
    } catch (const std::exception&) {
      return InvalidArgumentError("not a cursor from a previous page", "?cursor");
    }
  }
  std::vector<messaging::Template> list;
  MessagingService& messaging = Messaging(call);
  RETURN_IF_ERROR(messaging.db().Read([&](store::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(list, messaging.templates().List(tx, after, page.limit + 1));
    return Status::Ok();
  }));
  std::string next;
  if (list.size() > static_cast<size_t>(page.limit)) {
    list.resize(page.limit);
    next = std::to_string(list.back().id);
  }
  Json items = Json::array();
  for (const auto& t : list) items.push_back(TemplateJson(t));
  return PageResponse(std::move(items), next);
}

Result<std::pair<Json, std::vector<messaging::VariableDef>>> ReadVersionInput(const Json& body) {
  std::vector<messaging::VariableDef> defs;
  const Json content = body.value("body", Json());
  const Json variables = body.value("variables", Json::array());
  RETURN_IF_ERROR(messaging::ParseVersionInput(content, variables, &defs));
  return std::make_pair(content, std::move(defs));
}

Result<http::Response> CreateTemplate(Call& call) {
  ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request));
  ASSIGN_OR_RETURN(auto reader, JsonObjectReader::Create(body));
  RETURN_IF_ERROR(
      reader.RejectUnknown({"name", "channel", "purpose", "description", "body", "variables"}));
  messaging::Template t;
  ASSIGN_OR_RETURN(t.name, reader.String("name", messaging::kTemplateNameBytesMax));
  ASSIGN_OR_RETURN(t.channel, reader.String("channel", messaging::kChannelNameBytesMax));
  if (t.channel != "any" && !Messaging(call).channels().Find(t.channel)) {
    return InvalidArgumentError("expected a configured channel or \"any\"", "/channel");
  }
  ASSIGN_OR_RETURN(std::string purpose, reader.String("purpose", 16));
  const auto parsed = messaging::ParsePurpose(purpose);
  if (!parsed) return InvalidArgumentError("expected service or marketing", "/purpose");
  t.purpose = *parsed;
  ASSIGN_OR_RETURN(auto description, reader.OptionalString("description", 1024));
  t.description = description.value_or("");
  ASSIGN_OR_RETURN(auto input, ReadVersionInput(body));
  int64_t id = 0;
  MessagingService& messaging = Messaging(call);
  RETURN_IF_ERROR(messaging.db().Write([&](store::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(id, messaging.templates().Create(tx, t, input.first, input.second,
                                                      StaffId(call.principal)));
    return Status::Ok();
  }));
  ASSIGN_OR_RETURN(Json out, TemplateWithVersions(messaging, id));
  return JsonResponse(201, out);
}

Result<http::Response> GetTemplate(Call& call) {
  ASSIGN_OR_RETURN(int64_t id, ReadIdParam(call.request, "id"));
  ASSIGN_OR_RETURN(Json out, TemplateWithVersions(Messaging(call), id));
  return JsonResponse(200, out);
}

Result<http::Response> AddTemplateVersion(Call& call) {
  ASSIGN_OR_RETURN(int64_t id, ReadIdParam(call.request, "id"));
  ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request));
  ASSIGN_OR_RETURN(auto reader, JsonObjectReader::Create(body));
  RETURN_IF_ERROR(reader.RejectUnknown({"body", "variables"}));
  ASSIGN_OR_RETURN(auto input, ReadVersionInput(body));
  MessagingService& messaging = Messaging(call);
  RETURN_IF_ERROR(messaging.db().Write([&](store::Transaction& tx) -> Status {
    return messaging.templates()
        .AddVersion(tx, id, input.first, input.second, StaffId(call.principal))
        .status();
  }));
  ASSIGN_OR_RETURN(Json out, TemplateWithVersions(messaging, id));
  return JsonResponse(201, out);
}

Result<http::Response> SubmitTemplateVersion(Call& call) {
  ASSIGN_OR_RETURN(int64_t id, ReadIdParam(call.request, "id"));
  ASSIGN_OR_RETURN(int64_t version, ReadIdParam(call.request, "version"));
  MessagingService& messaging = Messaging(call);
  RETURN_IF_ERROR(messaging.db().Write([&](store::Transaction& tx) -> Status {
    return messaging.templates()
        .Submit(tx, id, static_cast<int>(version), StaffId(call.principal))
        .status();
  }));
  ASSIGN_OR_RETURN(Json out, TemplateWithVersions(messaging, id));
  return JsonResponse(200, out);
}

Result<http::Response> ReviewTemplateVersion(Call& call) {
  ASSIGN_OR_RETURN(int64_t id, ReadIdParam(call.request, "id"));
  ASSIGN_OR_RETURN(int64_t version, ReadIdParam(call.request, "version"));
  if (call.principal.kind != auth::PrincipalKind::kStaff) {
    return PermissionDeniedError("templates are reviewed by a staff member, not a key");
  }
  ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request));
  ASSIGN_OR_RETURN(auto reader, JsonObjectReader::Create(body));
  RETURN_IF_ERROR(reader.RejectUnknown({"approve", "note"}));
  ASSIGN_OR_RETURN(auto approve, reader.OptionalBool("approve"));
  if (!approve) return InvalidArgumentError("required", "/approve");
  ASSIGN_OR_RETURN(auto note, reader.OptionalString("note", 1024));
  MessagingService& messaging = Messaging(call);
  RETURN_IF_ERROR(messaging.db().Write([&](store::Transaction& tx) -> Status {
    RETURN_IF_ERROR(messaging.templates().Review(tx, id, static_cast<int>(version),
                                                 call.principal.id, *approve, note.value_or("")));
    auth::AuditRecord record =
        auth::AuditRecord::By(call.principal, *approve ? "template.approve" : "template.reject",
                              "message_template", fmt::format("{}/{}", id, version));
    return call.deps.auth->audit().Append(tx, record, call.audit);
  }));
  ASSIGN_OR_RETURN(Json out, TemplateWithVersions(messaging, id));
  return JsonResponse(200, out);
}

Result<http::Response> PreviewTemplate(Call& call) {
  ASSIGN_OR_RETURN(int64_t id, ReadIdParam(call.request, "id"));
  ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request));
  ASSIGN_OR_RETURN(auto reader, JsonObjectReader::Create(body));
  RETURN_IF_ERROR(reader.RejectUnknown({"version", "variables", "one_id"}));
  ASSIGN_OR_RETURN(auto version, reader.OptionalInt("version", 1, INT32_MAX));
  ASSIGN_OR_RETURN(auto one_id, reader.OptionalInt("one_id", 1, INT64_MAX));
  const Json variables = body.value("variables", Json::object());
  ASSIGN_OR_RETURN(Json out,
                   Messaging(call).Preview(
                       call.principal, id,
                       version ? std::optional<int>(static_cast<int>(*version)) : std::nullopt,
                       variables, one_id));
  return JsonResponse(200, out);
}

Result<http::Response> ListChannels(Call& call) {
  return JsonResponse(200, {{"items", Messaging(call).ListChannels()}});
}

Result<http::Response> GetChannel(Call& call) {
  ASSIGN_OR_RETURN(Json out, Messaging(call).GetChannel(call.request.Param("name")));
  return JsonResponse(200, out);
}

// Secrets are write-only: the answer shows them as "********" (or their {"env": ...} reference).
Result<http::Response> PutChannel(Call& call) {
  ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request));
  ASSIGN_OR_RETURN(auto reader, JsonObjectReader::Create(body));
  RETURN_IF_ERROR(reader.RejectUnknown({"kind", "config", "enabled"}));
  ASSIGN_OR_RETURN(std::string kind, reader.String("kind", 32));
  ASSIGN_OR_RETURN(auto enabled, reader.OptionalBool("enabled"));
  const std::string name(call.request.Param("name"));
  ASSIGN_OR_RETURN(
      Json out, Messaging(call).PutChannel(call.principal, name, kind, body.value("config", Json()),
                                           enabled.value_or(true)));
  RETURN_IF_ERROR(call.deps.db->Write([&](store::Transaction& tx) {
    auth::AuditRecord record =
        auth::AuditRecord::By(call.principal, "channel.configure", "message_channel", name);
    record.details = {{"kind", kind}, {"version", out["version"]}};  // never the config
    return call.deps.auth->audit().Append(tx, record, call.audit);
  }));
  return JsonResponse(200, out);
}

Result<http::Response> AddSuppression(Call& call) {
  ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request));
  ASSIGN_OR_RETURN(auto reader, JsonObjectReader::Create(body));
  RETURN_IF_ERROR(reader.RejectUnknown({"channel", "address_type", "address", "reason"}));
  ASSIGN_OR_RETURN(std::string channel, reader.String("channel", messaging::kChannelNameBytesMax));
  ASSIGN_OR_RETURN(std::string type, reader.String("address_type", 32));
  ASSIGN_OR_RETURN(std::string address, reader.String("address", 256));
  ASSIGN_OR_RETURN(std::string reason, reader.String("reason", 256));
  RETURN_IF_ERROR(Messaging(call).Suppress(call.principal, channel, type, address, reason));
  return JsonResponse(201, {{"channel", channel}, {"address_type", type}, {"reason", reason}});
}

Result<http::Response> CustomerTimeline(Call& call) {
  ASSIGN_OR_RETURN(int64_t id, ReadIdParam(call.request, "id"));
  ASSIGN_OR_RETURN(PageParams page, ReadPageParams(call.request));
  MessagingService::TimelineQuery query;
  query.cursor = page.cursor;
  query.limit = page.limit;
  if (auto kinds = call.request.Query("kind")) {
    for (size_t at = 0; at <= kinds->size();) {
      const size_t comma = std::min(kinds->find(',', at), kinds->size());
      query.kinds.push_back(kinds->substr(at, comma - at));
      at = comma + 1;
    }
  }
  query.channel = call.request.Query("channel").value_or("");
  ASSIGN_OR_RETURN(Json out, Messaging(call).Timeline(call.principal, id, query));
  return JsonResponse(200, out);
}

struct MessageRoute {
  Method method;
  std::string_view pattern;
  Permission permission;
  Result<http::Response> (*handler)(Call&);
};

// clang-format off
const std::vector<MessageRoute>& Table() {
  static const std::vector<MessageRoute> kRoutes = {
    {Method::kPost, "/api/v1/messages",                     Permission::kMessagesSend,     SendMessage},
    {Method::kPost, "/api/v1/messages/batch",               Permission::kMessagesSend,     SendBatch},
    {Method::kGet,  "/api/v1/messages",                     Permission::kMessagesRead,     ListMessages},
    {Method::kGet,  "/api/v1/messages/{id}",                Permission::kMessagesRead,     GetMessage},
    {Method::kGet,  "/api/v1/messaging/stats",              Permission::kMessagesRead,     MessageStats},
    {Method::kGet,  "/api/v1/message-templates",            Permission::kMessagesRead,     ListTemplates},
    {Method::kPost, "/api/v1/message-templates",            Permission::kTemplatesWrite,   CreateTemplate},
    {Method::kGet,  "/api/v1/message-templates/{id}",       Permission::kMessagesRead,     GetTemplate},
    {Method::kPost, "/api/v1/message-templates/{id}/versions", Permission::kTemplatesWrite, AddTemplateVersion},
    {Method::kPost, "/api/v1/message-templates/{id}/versions/{version}/submit", Permission::kTemplatesWrite, SubmitTemplateVersion},
    {Method::kPost, "/api/v1/message-templates/{id}/versions/{version}/review", Permission::kTemplatesApprove, ReviewTemplateVersion},
    {Method::kPost, "/api/v1/message-templates/{id}/preview", Permission::kMessagesRead,   PreviewTemplate},
    {Method::kGet,  "/api/v1/channels",                     Permission::kChannelsManage,   ListChannels},
    {Method::kGet,  "/api/v1/channels/{name}",              Permission::kChannelsManage,   GetChannel},
    {Method::kPut,  "/api/v1/channels/{name}",              Permission::kChannelsManage,   PutChannel},
    {Method::kPost, "/api/v1/message-suppressions",         Permission::kChannelsManage,   AddSuppression},
    {Method::kGet,  "/api/v1/customers/{id}/timeline",      Permission::kMessagesRead,     CustomerTimeline},
  };
  return kRoutes;
}
// clang-format on

http::Response Dispatch(const MessageRoute& route, http::Request& request, ApiDeps& deps) {
  auto principal = Admit(request, deps, Access::kPermission, route.permission);
  if (!principal.ok()) return ErrorResponse(principal.status(), request.request_id);
  Call call{request, *principal, {request.request_id, request.remote_address}, deps};
  Result<http::Response> response = route.handler(call);
  if (!response.ok()) {
    if (HttpStatusFor(response.status().code()) >= 500) {
      log::Error("api.error", {{"route", route.pattern},
                               {"request_id", request.request_id},
                               {"error", response.status().ToString()}});
    }
    return ErrorResponse(response.status(), request.request_id);
  }
  return std::move(response).value();
}

// Provider callbacks: the plugin authenticates them; errors are problem+json like the rest.
http::Response Inbound(ApiDeps& deps, http::Request& request) {
  auto response = deps.messaging->HandleInbound(request.Param("channel"), request);
  if (!response.ok()) {
    if (response.status().code() != StatusCode::kUnauthenticated) {
      log::Warn("messaging.inbound_refused",
                {{"channel", request.Param("channel")}, {"error", response.status().ToString()}});
    }
    return ErrorResponse(response.status(), request.request_id);
  }
  return std::move(response).value();
}

// A provider's check of the callback URL (WeChat: GET with signature, timestamp, nonce and
// echostr). Only plugins that have one answer; a wrong signature is 401.
http::Response InboundVerification(ApiDeps& deps, http::Request& request) {
  auto response = deps.messaging->HandleVerification(request.Param("channel"), request);
  if (!response.ok()) return ErrorResponse(response.status(), request.request_id);
  return std::move(response).value();
}

http::Response ShortLink(ApiDeps& deps, http::Request& request) {
  auto url = deps.messaging->Click(request.Param("code"));
  if (!url.ok()) return ErrorResponse(url.status(), request.request_id);
  http::Response response = http::Response::Text(302, "");
  response.headers.Set("Location", *url);
  response.headers.Set("Cache-Control", "no-store");  // every click is counted
  return response;
}

// RFC 8058 one-click: mail providers POST "List-Unsubscribe=One-Click"; a person who follows the
// link gets a page whose button POSTs, because link scanners fetch every GET.
http::Response UnsubscribeForm(http::Request&) {
  return http::Response::Text(
      200,
      "<!doctype html><meta charset=utf-8><title>退订</title>"
      "<form method=post><button name=List-Unsubscribe value=One-Click>退订营销邮件 / "
      "Unsubscribe</button></form>",
      "text/html; charset=utf-8");
}

http::Response Unsubscribe(ApiDeps& deps, http::Request& request) {
  Status done = deps.messaging->Unsubscribe(request.Param("token"));
  if (!done.ok()) return ErrorResponse(done, request.request_id);
  return http::Response::Text(200, "unsubscribed\n");
}

}  // namespace

void RegisterMessageRoutes(http::Router& router, ApiDeps& deps) {
  for (const MessageRoute& route : Table()) {
    router.Add(route.method, route.pattern,
               [&route, &deps](http::Request& request) { return Dispatch(route, request, deps); });
  }
  router.Add(Method::kPost, "/api/v1/messaging/inbound/{channel}",
             [&deps](http::Request& r) { return Inbound(deps, r); });
  router.Add(Method::kGet, "/api/v1/messaging/inbound/{channel}",
             [&deps](http::Request& r) { return InboundVerification(deps, r); });
  router.Add(Method::kGet, "/l/{code}", [&deps](http::Request& r) { return ShortLink(deps, r); });
  router.Add(Method::kGet, "/api/v1/messaging/unsubscribe/{token}", UnsubscribeForm);
  router.Add(Method::kPost, "/api/v1/messaging/unsubscribe/{token}",
             [&deps](http::Request& r) { return Unsubscribe(deps, r); });
}

std::vector<RouteInfo> ListMessageRoutes() {
  std::vector<RouteInfo> out;
  for (const MessageRoute& route : Table()) {
    std::string method(http::MethodName(route.method));
    for (auto& c : method) c = static_cast<char>(std::tolower(c));
    out.push_back({method, std::string(route.pattern)});
  }
  out.push_back({"post", "/api/v1/messaging/inbound/{channel}"});
  out.push_back({"get", "/api/v1/messaging/inbound/{channel}"});
  out.push_back({"get", "/l/{code}"});
  out.push_back({"get", "/api/v1/messaging/unsubscribe/{token}"});
  out.push_back({"post", "/api/v1/messaging/unsubscribe/{token}"});
  return out;
}

}  // namespace banyan::api
