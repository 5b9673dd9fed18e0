// Request and Response: the HTTP messages handlers see, independent of Boost.Beast so that no
// module outside src/http includes Beast or Asio.
//
// A Request arrives with its body already size-checked and gzip-decoded, its request id
// assigned, and its path parameters filled in by the router.
// Thread safety: plain values; a handler owns its Request and Response.

#ifndef BANYAN_HTTP_MESSAGE_H_
#define BANYAN_HTTP_MESSAGE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace banyan::http {

enum class Method { kGet, kHead, kPost, kPut, kPatch, kDelete, kOptions, kOther };

std::string_view MethodName(Method method);
// True for methods that change state (POST, PUT, PATCH, DELETE).
bool IsStateChanging(Method method);

// Header names compare case-insensitively; values are kept as received.
class Headers {
 public:
  // The first value of `name`, or empty.
  std::string_view Get(std::string_view name) const;
  bool Has(std::string_view name) const;
  // Replaces all values of `name`.
  void Set(std::string_view name, std::string value);
  // Adds another value (e.g. a second Set-Cookie).
  void Add(std::string_view name, std::string value);
  // Removes all values of `name`.
  void Remove(std::string_view name);
  const std::vector<std::pair<std::string, std::string>>& entries() const { return entries_; }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

struct Request {
  Method method = Method::kGet;
  std::string target;        // as received: path and query
  std::string path;          // percent-decoded path, without the query
  std::string query_string;  // raw, without '?'
  Headers headers;
  std::string body;  // decoded (gzip removed), within the body limit
  std::string remote_address;
  std::string request_id;  // from X-Request-Id if sane, else generated
  std::string route;       // the matched route pattern, e.g. "/api/v1/staff/{id}"
  std::vector<std::pair<std::string, std::string>> path_params;

  // The value of path parameter `name` ("{id}" in the route), or empty.
  std::string_view Param(std::string_view name) const;
  // The first percent-decoded value of query parameter `name`.
  std::optional<std::string> Query(std::string_view name) const;
  // All query parameters, percent-decoded, in order.
  std::vector<std::pair<std::string, std::string>> QueryParams() const;
  // The value of cookie `name` from the Cookie header(s), or empty.
  std::string_view Cookie(std::string_view name) const;
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;

  // `body` is serialised JSON; sets Content-Type: application/json.
  static Response Json(int status, std::string body);
  static Response Text(int status, std::string body,
                       std::string_view content_type = "text/plain; charset=utf-8");
  static Response NoContent();
};

// Percent-decodes `text` ('+' as space when `plus_as_space`). Returns nullopt on a bad escape.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_as_space);

}  // namespace banyan::http

#endif  // BANYAN_HTTP_MESSAGE_H_
