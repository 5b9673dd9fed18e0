#include "api/problem.h"

#include "base/json.h"

namespace banyan::api {
namespace {

std::string_view TitleFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "OK";
    case StatusCode::kInvalidArgument:
      return "Invalid request";
    case StatusCode::kUnauthenticated:
      return "Authentication required";
    case StatusCode::kPermissionDenied:
      return "Forbidden";
    case StatusCode::kNotFound:
      return "Not found";
    case StatusCode::kAlreadyExists:
      return "Already exists";
    case StatusCode::kFailedPrecondition:
      return "Conflict with the current state";
    case StatusCode::kAborted:
      return "Concurrent change";
    case StatusCode::kTooLarge:
      return "Payload too large";
    case StatusCode::kResourceExhausted:
      return "Too many requests";
    case StatusCode::kUnavailable:
      return "Service unavailable";
    case StatusCode::kDeadlineExceeded:
      return "Query took too long";
    case StatusCode::kDataLoss:
      return "Stored data is damaged";
    case StatusCode::kInternal:
      return "Internal error";
  }
  return "Error";
}

}  // namespace

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
      return 409;
    case StatusCode::kFailedPrecondition:
      return 409;
    case StatusCode::kAborted:
      return 409;
    case StatusCode::kTooLarge:
      return 413;
    case StatusCode::kResourceExhausted:
      return 429;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kDeadlineExceeded:
      return 504;
    case StatusCode::kDataLoss:
      return 500;
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

http::Response ErrorResponse(const Status& status, std::string_view request_id) {
  const int code = HttpStatusFor(status.code());
  Json body = {
      {"type", "urn:banyan:problem:" + std::string(StatusCodeName(status.code()))},
      {"title", TitleFor(status.code())},
      {"status", code},
      // Internal errors never echo their message: it may name files or SQL.
      {"detail", code >= 500 && status.code() != StatusCode::kUnavailable
                     ? "an internal error occurred; quote the request id to the operator"
                     : status.message()},
      {"request_id", request_id},
  };
  const std::string& field = status.field();
  if (!field.empty() && field[0] == '?') {
    body["errors"] = Json::array({{{"parameter", field.substr(1)}, {"detail", status.message()}}});
  } else if (!field.empty()) {
    body["errors"] = Json::array({{{"pointer", field}, {"detail", status.message()}}});
  }
  http::Response response;
  response.status = code;
  response.headers.Set("Content-Type", "application/problem+json");
  if (code == 429 || code == 503) response.headers.Set("Retry-After", "1");
  if (code == 401) response.headers.Set("WWW-Authenticate", "Bearer realm=\"banyan\"");
  response.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  return response;
}

}  // namespace banyan::api
