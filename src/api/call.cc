#include "api/call.h"

#include <fmt/format.h>

#include <charconv>

namespace banyan::api {

Result<Json> ParseJsonBody(const http::Request& request) {
  if (request.body.empty()) return InvalidArgumentError("a JSON object body is required", "");
  auto parsed =
      ParseJson(request.body, {.bytes_max = kApiBodyBytesMax, .depth_max = kApiBodyDepthMax});
  if (!parsed.ok()) return parsed.status();
  if (!parsed->is_object()) return InvalidArgumentError("the body must be a JSON object", "");
  return parsed;
}

namespace {
Result<int64_t> ParseInt(std::string_view text, std::string_view what, std::string field) {
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return InvalidArgumentError(fmt::format("{} must be an integer", what), std::move(field));
  }
  return value;
}
}  // namespace

// True when the raw query string has parameter `name`, even with a value that does not
// percent-decode (Request::Query reports such a value as absent).
bool HasRawQuery(const http::Request& request, std::string_view name) {
  std::string_view rest = request.query_string;
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    if (pair.substr(0, pair.find('=')) == name) return true;
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return false;
}

Result<PageParams> ReadPageParams(const http::Request& request) {
  PageParams params;
  for (std::string_view name : {"cursor", "limit"}) {
    if (HasRawQuery(request, name) && !request.Query(name)) {
      return InvalidArgumentError("is not validly percent-encoded", "?" + std::string(name));
    }
  }
  if (auto cursor = request.Query("cursor")) {
    if (cursor->size() > 256) return InvalidArgumentError("cursor is malformed", "?cursor");
    params.cursor = *cursor;
  }
  if (auto limit = request.Query("limit")) {
    ASSIGN_OR_RETURN(int64_t value, ParseInt(*limit, "limit", "?limit"));
    if (value < 1 || value > kPageLimitMax) {
      return InvalidArgumentError(fmt::format("limit must be between 1 and {}", kPageLimitMax),
                                  "?limit");
    }
    params.limit = static_cast<int>(value);
  }
  return params;
}

Result<int64_t> ReadIdParam(const http::Request& request, std::string_view name) {
  auto value = ParseInt(request.Param(name), name, "");
  // A malformed id names nothing that exists: answer as for an unknown id.
  if (!value.ok() || *value <= 0) return NotFoundError(fmt::format("no such {}", name));
  return *value;
}

Result<std::optional<int64_t>> ReadIntQuery(const http::Request& request, std::string_view name) {
  auto text = request.Query(name);
  if (!text) return std::optional<int64_t>();
  ASSIGN_OR_RETURN(int64_t value, ParseInt(*text, name, "?" + std::string(name)));
  return std::optional<int64_t>(value);
}

http::Response JsonResponse(int status, const Json& body) {
  return http::Response::Json(status, body.dump(-1, ' ', false, Json::error_handler_t::replace));
}

http::Response Attachment(http::Response response, const std::string& filename) {
  response.headers.Set("Cache-Control", "no-store");
  response.headers.Set("Content-Disposition", "attachment; filename=\"" + filename + "\"");
  return response;
}

http::Response PageResponse(Json items, const std::string& next_cursor) {
  Json body = {{"items", std::move(items)}};
  body["next_cursor"] = next_cursor.empty() ? Json(nullptr) : Json(next_cursor);
  return JsonResponse(200, body);
}

}  // namespace banyan::api
