// /api/v1/customers (find, list, 360, timeline, unmask, export, erasure, consents, balances),
// /api/v1/identity (conflicts, unmerge), /api/v1/profile/attributes and
// /api/v1/identifier-types. Scoping, masking and auditing happen in customer::CustomerService;
// these handlers parse and serialise.

#include <fmt/format.h>

#include <charconv>

#include "api/handlers.h"
#include "api/serialize.h"
#include "base/encoding.h"
#include "base/time.h"
#include "customer/customer_service.h"
#include "customer/views.h"
#include "identity/identifier_types.h"

namespace banyan::api {
namespace {

Result<customer::CustomerService*> Customers(Call& call) {
  if (call.deps.customers == nullptr) return UnavailableError("customer data is not open");
  return call.deps.customers;
}

// Cursors are opaque to clients: base64url of a decimal number.
std::string NumberCursor(std::optional<int64_t> n) {
  return n ? Base64UrlEncode(AsBytes(std::to_string(*n))) : std::string();
}

Result<std::optional<int64_t>> ReadNumberCursor(const PageParams& page) {
  if (page.cursor.empty()) return std::optional<int64_t>();
  auto decoded = Base64UrlDecode(page.cursor);
  int64_t n = 0;
  if (decoded) {
    const auto [end, ec] = std::from_chars(decoded->data(), decoded->data() + decoded->size(), n);
    if (ec == std::errc() && end == decoded->data() + decoded->size() && n >= 0) {
      return std::optional<int64_t>(n);
    }
  }
  return InvalidArgumentError("cursor is malformed", "?cursor");
}

Result<CivilDay> ReadDayQuery(const http::Request& request, std::string_view name,
                              CivilDay fallback) {
  auto text = request.Query(name);
  if (!text) return fallback;
  auto day = ParseDate(*text);
  if (!day.ok()) {
    return InvalidArgumentError("expected a date YYYY-MM-DD", "?" + std::string(name));
  }
  return *day;
}

}  // namespace

Result<http::Response> ListCustomers(Call& call) {
  ASSIGN_OR_RETURN(auto* customers, Customers(call));
  if (auto identifier = call.request.Query("identifier")) {
    const auto colon = identifier->find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == identifier->size()) {
      return InvalidArgumentError("expected TYPE:VALUE, e.g. phone:13812341234", "?identifier");
    }
    ASSIGN_OR_RETURN(auto ids, customers->Find(call.principal, identifier->substr(0, colon),
                                               identifier->substr(colon + 1)));
    Json items = Json::array();
    for (const auto id : ids) {
      ASSIGN_OR_RETURN(Json view, customers->Get(call.principal, id));
      items.push_back(std::move(view));
    }
    return PageResponse(std::move(items), "");
  }
  ASSIGN_OR_RETURN(PageParams page, ReadPageParams(call.request));
  customer::CustomerListQuery query;
  query.limit = page.limit;
  ASSIGN_OR_RETURN(query.after, ReadNumberCursor(page));
  ASSIGN_OR_RETURN(query.branch_id, ReadIntQuery(call.request, "branch_id"));
  ASSIGN_OR_RETURN(query.rm_id, ReadIntQuery(call.request, "rm_id"));
  ASSIGN_OR_RETURN(auto result, customers->List(call.principal, query));
  Json items = Json::array();
  for (const auto& c : result.items) items.push_back(ToJson(c));
  return PageResponse(std::move(items), NumberCursor(result.next_after));
}

Result<http::Response> GetCustomer(Call& call) {
  ASSIGN_OR_RETURN(auto* customers, Customers(call));
  ASSIGN_OR_RETURN(int64_t id, ReadIdParam(call.request, "id"));
  ASSIGN_OR_RETURN(Json view, customers->Get(call.principal, id));
  return JsonResponse(200, view);
}

Result<http::Response> GetCustomerEvents(Call& call) {
  ASSIGN_OR_RETURN(auto* customers, Customers(call));
  ASSIGN_OR_RETURN(int64_t id, ReadIdParam(call.request, "id"));
  ASSIGN_OR_RETURN(PageParams page, ReadPageParams(call.request));
  ASSIGN_OR_RETURN(auto before, ReadNumberCursor(page));
  ASSIGN_OR_RETURN(Json result, customers->Timeline(
                                    call.principal, id,
                                    before ? std::optional<uint64_t>(static_cast<uint64_t>(*before))
                                           : std::nullopt,
                                    page.limit));
  std::optional<int64_t> next;
  if (result.contains("next_before") && !result["next_before"].is_null()) {
    next = result["next_before"].get<int64_t>();
  }
  return PageResponse(std::move(result["items"]), NumberCursor(next));
}

Result<http::Response> UnmaskCustomerField(Call& call) {
  ASSIGN_OR_RETURN(auto* customers, Customers(call));
  ASSIGN_OR_RETURN(int64_t id, ReadIdParam(call.request, "id"));
  ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request));
  ASSIGN_OR_RETURN(auto reader, JsonObjectReader::Create(body));
  RETURN_IF_ERROR(reader.RejectUnknown({"field"}));
  ASSIGN_OR_RETURN(std::string field, reader.String("field", 128));
  ASSIGN_OR_RETURN(Json result, customers->Unmask(call.principal, id, field, call.audit));
  http::Response response = JsonResponse(200, result);
  response.headers.Set("Cache-Control", "no-store");
  return response;
}

Result<http::Response> ExportCustomer(Call& call) {
  ASSIGN_OR_RETURN(auto* customers, Customers(call));
  ASSIGN_OR_RETURN(int64_t id, ReadIdParam(call.request, "id"));
  ASSIGN_OR_RETURN(Json result, customers->Export(call.principal, id, call.audit));
  return Attachment(JsonResponse(200, result), "customer-" + std::to_string(id) + ".json");
}

Result<http::Response> EraseCustomer(Call& call) {
  ASSIGN_OR_RETURN(auto* customers, Customers(call));
  ASSIGN_OR_RETURN(int64_t id, ReadIdParam(call.request, "id"));
  ASSIGN_OR_RETURN(Json result, customers->Erase(call.principal, id, call.audit));
  return JsonResponse(200, result);
}

Result<http::Response> ListCustomerConsents(Call& call) {
  ASSIGN_OR_RETURN(auto* customers, Customers(call));
  ASSIGN_OR_RETURN(int64_t id, ReadIdParam(call.request, "id"));
  ASSIGN_OR_RETURN(PageParams page, ReadPageParams(call.request));
  ASSIGN_OR_RETURN(auto before, ReadNumberCursor(page));
  ASSIGN_OR_RETURN(Json result, customers->Consents(call.principal, id, before, page.limit));
  return JsonResponse(200, result);
}

Result<http::Response> RecordCustomerConsent(Call& call) {
  ASSIGN_OR_RETURN(auto* customers, Customers(call));
  ASSIGN_OR_RETURN(int64_t id, ReadIdParam(call.request, "id"));
  ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request));
  ASSIGN_OR_RETURN(auto reader, JsonObjectReader::Create(body));
  RETURN_IF_ERROR(reader.RejectUnknown(
      {"purpose", "channel", "granted", "at", "source", "evidence", "idempotency_key"}));
  privacy::ConsentFact fact;
  ASSIGN_OR_RETURN(std::string purpose, reader.String("purpose", 64));
  const auto parsed_purpose = privacy::ParsePurpose(purpose);
  if (!parsed_purpose) {
    return InvalidArgumentError("expected one of marketing, personalised_marketing, data_sharing",
                                "/purpose");
  }
  fact.purpose = *parsed_purpose;
  ASSIGN_OR_RETURN(auto channel, reader.OptionalString("channel", 32));
  fact.channel = channel.value_or("all");
  ASSIGN_OR_RETURN(auto granted, reader.OptionalBool("granted"));
  if (!granted) return InvalidArgumentError("is required (true or false)", "/granted");
  fact.granted = *granted;
  ASSIGN_OR_RETURN(auto at, reader.OptionalString("at", 64));
  fact.at = call.deps.clock->Now();
  if (at) {
    auto parsed = ParseRfc3339(*at);
    if (!parsed.ok()) return InvalidArgumentError(parsed.status().message(), "/at");
    fact.at = *parsed;
  }
  ASSIGN_OR_RETURN(auto source, reader.OptionalString("source", 64));
  fact.source = source.value_or("staff");
  if (body.contains("evidence")) {
    if (!body["evidence"].is_object()) {
      return InvalidArgumentError("expected a JSON object", "/evidence");
    }
    fact.evidence = body["evidence"].dump();
  }
  ASSIGN_OR_RETURN(fact.idempotency_key, reader.OptionalString("idempotency_key", 128));
  ASSIGN_OR_RETURN(Json result,
                   customers->RecordConsent(call.principal, id, std::move(fact), call.audit));
  return JsonResponse(201, result);
}

Result<http::Response> GetCustomerBalances(Call& call) {
  ASSIGN_OR_RETURN(auto* customers, Customers(call));
  ASSIGN_OR_RETURN(int64_t id, ReadIdParam(call.request, "id"));
  const CivilDay today = customers->calendar().DayOf(call.deps.clock->Now());
  ASSIGN_OR_RETURN(CivilDay to, ReadDayQuery(call.request, "to", today));
  ASSIGN_OR_RETURN(CivilDay from, ReadDayQuery(call.request, "from", to - 89));
  if (from > to) return InvalidArgumentError("from is after to", "?from");
  if (to - from >= profile::kBalanceRangeDaysMax) {
    return InvalidArgumentError(
        fmt::format("at most {} days at once", profile::kBalanceRangeDaysMax), "?from");
  }
  ASSIGN_OR_RETURN(Json result, customers->Balances(call.principal, id, from, to, call.audit));
  return JsonResponse(200, result);
}

Result<http::Response> ListIdentityConflicts(Call& call) {
  ASSIGN_OR_RETURN(auto* customers, Customers(call));
  ASSIGN_OR_RETURN(PageParams page, ReadPageParams(call.request));
  ASSIGN_OR_RETURN(auto before, ReadNumberCursor(page));
  const std::string status = call.request.Query("status").value_or("open");
  ASSIGN_OR_RETURN(Json result,
                   customers->ListConflicts(call.principal, status, before, page.limit));
  std::optional<int64_t> next;
  if (!result["next_before"].is_null()) next = result["next_before"].get<int64_t>();
  return PageResponse(std::move(result["items"]), NumberCursor(next));
}

Result<http::Response> ResolveIdentityConflict(Call& call) {
  ASSIGN_OR_RETURN(auto* customers, Customers(call));
  ASSIGN_OR_RETURN(int64_t id, ReadIdParam(call.request, "id"));
  ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request));
  ASSIGN_OR_RETURN(auto reader, JsonObjectReader::Create(body));
  RETURN_IF_ERROR(reader.RejectUnknown({"resolution"}));
  ASSIGN_OR_RETURN(std::string resolution, reader.String("resolution", 32));
  ASSIGN_OR_RETURN(Json result,
                   customers->ResolveConflict(call.principal, id, resolution, call.audit));
  return JsonResponse(200, result);
}

Result<http::Response> UnmergeIdentity(Call& call) {
  ASSIGN_OR_RETURN(auto* customers, Customers(call));
  ASSIGN_OR_RETURN(int64_t id, ReadIdParam(call.request, "id"));
  ASSIGN_OR_RETURN(Json result, customers->Unmerge(call.principal, id, call.audit));
  return JsonResponse(200, result);
}

}  // namespace banyan::api

namespace banyan::api {

Result<http::Response> ListIdentifierTypes(Call& call) {
  ASSIGN_OR_RETURN(auto* customers, Customers(call));
  Json items = Json::array();
  for (const auto& type : customers->graph().types().all()) {
    items.push_back(customer::IdentifierTypeJson(type));
  }
  return PageResponse(std::move(items), "");
}

Result<http::Response> ListProfileAttributes(Call& call) {
  ASSIGN_OR_RETURN(auto* customers, Customers(call));
  Json items = Json::array();
  for (const auto& def : customers->schema().List()) items.push_back(customer::AttributeJson(def));
  return PageResponse(std::move(items), "");
}

Result<http::Response> AddProfileAttribute(Call& call) {
  ASSIGN_OR_RETURN(auto* customers, Customers(call));
  ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request));
  ASSIGN_OR_RETURN(auto reader, JsonObjectReader::Create(body));
  RETURN_IF_ERROR(reader.RejectUnknown(
      {"name", "type", "enum_values", "personal", "mask", "label", "description"}));
  profile::AttributeDef def;
  ASSIGN_OR_RETURN(def.name, reader.String("name", 64));
  ASSIGN_OR_RETURN(const std::string type, reader.String("type", 32));
  const auto parsed_type = profile::ParseAttributeType(type);
  if (!parsed_type) {
    return InvalidArgumentError(
        "expected string, enum, integer, decimal, boolean, date, timestamp or string_list",
        "/type");
  }
  def.type = *parsed_type;
  if (body.contains("enum_values")) {
    const Json& values = body["enum_values"];
    if (!values.is_array()) return InvalidArgumentError("expected an array", "/enum_values");
    for (size_t i = 0; i < values.size(); ++i) {
      if (!values[i].is_string()) {
        return InvalidArgumentError("expected a string", "/enum_values/" + std::to_string(i));
      }
      def.enum_values.push_back(values[i].get<std::string>());
    }
  }
  ASSIGN_OR_RETURN(auto personal, reader.OptionalBool("personal"));
  def.personal = personal.value_or(false);
  ASSIGN_OR_RETURN(auto mask, reader.OptionalString("mask", 32));
  if (mask) {
    const auto rule = privacy::ParseMaskRule(*mask);
    if (!rule) return InvalidArgumentError("unknown mask rule", "/mask");
    def.mask = *rule;
  } else if (def.personal) {
    def.mask = privacy::MaskRule::kOpaque;
  }
  ASSIGN_OR_RETURN(auto label, reader.OptionalString("label", profile::kAttributeLabelBytesMax));
  def.label = label.value_or("");
  ASSIGN_OR_RETURN(auto description,
                   reader.OptionalString("description", profile::kAttributeDescriptionBytesMax));
  def.description = description.value_or("");
  ASSIGN_OR_RETURN(Json added, customers->AddAttribute(call.principal, def, call.audit));
  return JsonResponse(201, added);
}

}  // namespace banyan::api
