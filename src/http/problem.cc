// ProblemResponse (declared in server.h): application/problem+json bodies (RFC 9457).

#include <cctype>
#include <string>

#include "base/json.h"
#include "http/internal/reason_phrase.h"
#include "http/server.h"

namespace banyan::http {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// "Invalid Gzip Body" → "invalid-gzip-body".
std::string Slug(std::string_view title) {
  std::string slug;
  for (const char c : title) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      slug.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    } else if (!slug.empty() && slug.back() != '-') {
      slug.push_back('-');
    }
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  return slug;
}

}  // namespace

Response ProblemResponse(int status, std::string_view title, std::string_view detail,
                         std::string_view field_pointer, std::string_view request_id) {
  // One scheme for every problem Banyan reports (docs/api.md): "urn:banyan:problem:<slug>",
  // the slug from the title, or from the status phrase when the title is only that phrase.
  const bool generic = title.empty() || EqualsIgnoreCase(title, internal::ReasonPhrase(status));
  std::string slug = Slug(generic ? internal::ReasonPhrase(status) : title);
  for (char& c : slug) c = c == '-' ? '_' : c;
  Json body = Json::object();
  body["type"] = "urn:banyan:problem:" + slug;
  body["title"] = title.empty() ? internal::ReasonPhrase(status) : title;
  body["status"] = status;
  body["detail"] = detail;
  body["request_id"] = request_id;
  if (!field_pointer.empty()) {
    body["errors"] = Json::array({Json{{"pointer", field_pointer}, {"detail", detail}}});
  }
  Response response;
  response.status = status;
  response.headers.Set("Content-Type", "application/problem+json");
  // Titles and details may quote client input; invalid UTF-8 is replaced rather than thrown on.
  response.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  return response;
}

}  // namespace banyan::http
