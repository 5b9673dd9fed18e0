#include "http/internal/pipeline.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <exception>

#include "base/logging.h"
#include "http/internal/gzip.h"

namespace banyan::http::internal {
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

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// RFC 9110 token characters, the only ones allowed in a header name.
bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsValidHeader(std::string_view name, std::string_view value) {
  if (name.empty()) return false;
  for (const char c : name) {
    if (!IsTokenChar(c)) return false;
  }
  // CR, LF or NUL in a value would let a handler (or data it echoes) split the response.
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

// `name` cut to 64 characters with anything outside printable ASCII shown as '?', for logs.
std::string Printable(std::string_view name) {
  std::string out(name.substr(0, 64));
  for (char& c : out) {
    if (c < 0x20 || c > 0x7e) c = '?';
  }
  return out;
}

// Headers whose values the server derives itself when it writes the response.
bool IsFramingHeader(std::string_view name) {
  return EqualsIgnoreCase(name, "Content-Length") || EqualsIgnoreCase(name, "Transfer-Encoding") ||
         EqualsIgnoreCase(name, "Connection");
}

bool HasDotSegment(std::string_view path) {
  size_t start = 1;
  while (start <= path.size()) {
    const size_t slash = std::min(path.find('/', start), path.size());
    const std::string_view segment = path.substr(start, slash - start);
    if (segment == "." || segment == "..") return true;
    start = slash + 1;
  }
  return false;
}

}  // namespace

Status ParseTarget(Request& request) {
  std::string_view target = request.target;
  // Absolute-form ("http://host/path?q"), which HTTP/1.1 servers must accept: keep the path.
  for (const std::string_view scheme : {"http://", "https://"}) {
    if (target.size() > scheme.size() &&
        EqualsIgnoreCase(target.substr(0, scheme.size()), scheme)) {
      const size_t path_start = target.find_first_of("/?", scheme.size());
      target =
          path_start == std::string_view::npos ? std::string_view("/") : target.substr(path_start);
      if (target.front() == '?') return InvalidArgumentError("request target has no path");
      break;
    }
  }
  if (target.empty() || target.front() != '/') {
    return InvalidArgumentError("request target must be a path starting with '/'");
  }
  const size_t question = target.find('?');
  const std::string_view raw_path = target.substr(0, question);
  request.query_string =
      question == std::string_view::npos ? std::string() : std::string(target.substr(question + 1));
  if (raw_path.find("%2f") != std::string_view::npos ||
      raw_path.find("%2F") != std::string_view::npos) {
    return InvalidArgumentError("path contains an encoded '/'");
  }
  std::optional<std::string> path = PercentDecode(raw_path, /*plus_as_space=*/false);
  if (!path) return InvalidArgumentError("path contains a malformed percent-escape");
  if (path->find('\0') != std::string::npos) return InvalidArgumentError("path contains NUL");
  if (HasDotSegment(*path)) return InvalidArgumentError("path contains a '.' or '..' segment");
  request.path = std::move(*path);
  return Status::Ok();
}

Pipeline::Pipeline(const ServerOptions& options, const Router& router, Metrics& metrics)
    : options_(options), router_(router), metrics_(metrics), request_ids_(SecureRandom::Get()) {}

void Pipeline::AssignRequestId(Request& request) {
  const std::string_view incoming = request.headers.Get("X-Request-Id");
  request.request_id =
      IsAcceptableRequestId(incoming) ? std::string(incoming) : request_ids_.Next();
}

std::optional<Response> Pipeline::Prepare(Request& request, Dispatch& dispatch) {
  if (Status status = ParseTarget(request); !status.ok()) {
    return ProblemResponse(400, "Bad Request", status.message(), {}, request.request_id);
  }
  if (std::optional<Response> rejected = DecodeBody(request)) return rejected;
  if (options_.before_routing) {
    std::optional<Response> answered;
    try {
      answered = options_.before_routing(request);
    } catch (const std::exception& e) {
      answered = HandlerFailed(request, e.what());
    } catch (...) {
      answered = HandlerFailed(request, "unknown exception");
    }
    if (answered) {
      request.route = std::string(kBeforeRoutingRoute);  // the metrics and access-log label
      return answered;
    }
  }
  return Route(request, dispatch);
}

std::optional<Response> Pipeline::DecodeBody(Request& request) {
  size_t encodings = 0;
  std::string_view encoding;
  for (const auto& [name, value] : request.headers.entries()) {
    if (EqualsIgnoreCase(name, "Content-Encoding")) {
      ++encodings;
      encoding = Trim(value);
    }
  }
  if (encodings == 0 ||
      (encodings == 1 && (encoding.empty() || EqualsIgnoreCase(encoding, "identity")))) {
    return std::nullopt;
  }
  if (encodings > 1 ||
      !(EqualsIgnoreCase(encoding, "gzip") || EqualsIgnoreCase(encoding, "x-gzip"))) {
    Response response = ProblemResponse(
        415, "Unsupported Content Encoding",
        fmt::format("Content-Encoding '{}' is not supported; send gzip or no encoding",
                    encodings > 1 ? "(several)" : encoding),
        {}, request.request_id);
    response.headers.Set("Accept-Encoding", "gzip");
    return response;
  }
  Result<std::string> decoded = GzipDecode(request.body, options_.body_limit_bytes);
  if (!decoded.ok()) {
    const bool too_large = decoded.status().code() == StatusCode::kTooLarge;
    return ProblemResponse(too_large ? 413 : 400,
                           too_large ? "Content Too Large" : "Invalid Gzip Body",
                           decoded.status().message(), {}, request.request_id);
  }
  request.body = std::move(decoded).value();
  // Handlers see the body as if it had been sent plainly.
  request.headers.Remove("Content-Encoding");
  request.headers.Set("Content-Length", std::to_string(request.body.size()));
  return std::nullopt;
}

std::optional<Response> Pipeline::Route(Request& request, Dispatch& dispatch) {
  Router::Match match = router_.Find(request.method, request.path);
  switch (match.kind) {
    case Router::Match::Kind::kFound:
      request.route = std::move(match.route);
      request.path_params = std::move(match.params);
      dispatch.handler = match.handler;
      dispatch.async_handler = match.async_handler;
      return std::nullopt;
    case Router::Match::Kind::kMethodNotAllowed: {
      Response response = ProblemResponse(405, "Method Not Allowed",
                                          fmt::format("{} is not allowed on this path; allowed: {}",
                                                      MethodName(request.method), match.allow),
                                          {}, request.request_id);
      response.headers.Set("Allow", std::move(match.allow));
      return response;
    }
    case Router::Match::Kind::kNotFound:
      break;
  }
  return ProblemResponse(404, "Not Found", "no route matches this path", {}, request.request_id);
}

Response Pipeline::CallHandler(const Handler& handler, Request& request) {
  try {
    return handler(request);
  } catch (const std::exception& e) {
    return HandlerFailed(request, e.what());
  } catch (...) {
    return HandlerFailed(request, "unknown exception");
  }
}

Response Pipeline::HandlerFailed(const Request& request, std::string_view what) {
  log::Error("http.handler_failed", {{"method", MethodName(request.method)},
                                     {"route", request.route},
                                     {"request_id", request.request_id},
                                     {"error", what}});
  return ProblemResponse(500, "Internal Server Error", "the server failed to handle the request",
                         {}, request.request_id);
}

void Pipeline::Finish(const Request& request, Response& response) {
  const auto& entries = response.headers.entries();
  const auto invalid = std::find_if(entries.begin(), entries.end(), [](const auto& entry) {
    return !IsValidHeader(entry.first, entry.second);
  });
  if (response.status < 200 || response.status > 599) {
    response = HandlerFailed(
        request, fmt::format("the handler returned status {}, not 200..599", response.status));
  } else if (invalid != entries.end()) {
    response =
        HandlerFailed(request, fmt::format("the handler set header '{}' with a forbidden character",
                                           Printable(invalid->first)));
  }
  // Framing is the server's job: it writes Content-Length and Connection itself.
  if (std::any_of(entries.begin(), entries.end(),
                  [](const auto& entry) { return IsFramingHeader(entry.first); })) {
    for (const std::string_view name : {"Content-Length", "Transfer-Encoding", "Connection"}) {
      response.headers.Remove(name);
    }
  }
  for (const auto& [name, value] : options_.default_headers) {
    if (!response.headers.Has(name)) response.headers.Add(name, value);
  }
  response.headers.Set("X-Request-Id", request.request_id);
  if (response.status == 204 || response.status == 304) response.body.clear();
}

void Pipeline::Record(const Request& request, int status, size_t body_bytes,
                      std::chrono::nanoseconds duration) {
  const std::string_view route = request.route.empty() ? kUnmatchedRoute : request.route;
  metrics_.RecordRequest(request.method, route, status, duration);
  if (!options_.access_log) return;
  // The path as received (still percent-encoded, so no control characters reach the log),
  // without the query string, which may hold secrets.
  const std::string_view target = request.target;
  const std::string_view path = target.substr(0, target.find('?'));
  log::Info("http.access", {{"method", MethodName(request.method)},
                            {"path", path},
                            {"route", route},
                            {"status", status},
                            {"bytes", static_cast<uint64_t>(body_bytes)},
                            {"duration_ms", static_cast<double>(duration.count()) / 1e6},
                            {"request_id", request.request_id},
                            {"remote", request.remote_address}});
}

}  // namespace banyan::http::internal
