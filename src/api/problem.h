// The one place where a Status becomes an HTTP response.
//
// Errors are application/problem+json (RFC 9457):
//   {"type": "urn:banyan:problem:invalid_argument", "title": "Invalid request", "status": 400,
//    "detail": "expected a number", "request_id": "...",
//    "errors": [{"pointer": "/events/3/amount", "detail": "expected a number"}]}
// A Status field that starts with '/' is a JSON pointer into the request body; one that starts
// with '?' names a query parameter ("?limit") and is reported as {"parameter": "limit"}.
// Thread safety: stateless.

#ifndef BANYAN_API_PROBLEM_H_
#define BANYAN_API_PROBLEM_H_

#include <string_view>

#include "base/status.h"
#include "http/message.h"

namespace banyan::api {

int HttpStatusFor(StatusCode code);
http::Response ErrorResponse(const Status& status, std::string_view request_id);

}  // namespace banyan::api

#endif  // BANYAN_API_PROBLEM_H_
