// Response head serialisation: the status line and header block the server writes before a
// response body. The server owns framing: it writes Content-Length, Connection and Date itself.
// Used by the connection code. Thread safety: pure functions (the Date cache is per thread).

#ifndef BANYAN_HTTP_INTERNAL_WIRE_H_
#define BANYAN_HTTP_INTERNAL_WIRE_H_

#include <string>

#include "http/message.h"

namespace banyan::http::internal {

struct HeadOptions {
  bool keep_alive = true;
  // An HTTP/1.0 client keeps the connection only when told "Connection: keep-alive".
  bool client_http10 = false;
};

// Replaces `out` with the head of `response`. REQUIRES: the response passed Pipeline::Finish
// (valid status and headers, no framing headers). For 204 and 304 no Content-Length is sent;
// otherwise it is the body size, also for HEAD requests whose body is then not written.
void SerializeResponseHead(const Response& response, const HeadOptions& options, std::string& out);

// The current time as an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), recomputed once per
// second per thread.
std::string_view HttpDateNow();

}  // namespace banyan::http::internal

#endif  // BANYAN_HTTP_INTERNAL_WIRE_H_
