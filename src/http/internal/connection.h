// Connections: each accepted socket is served by one coroutine on its own strand, which reads
// requests (with the header and body limits and the read and idle timeouts), drives the
// Pipeline, calls handlers and writes responses, keeping the connection alive between requests.
// Used by server.cc. Thread safety: both functions are safe from any thread.

#ifndef BANYAN_HTTP_INTERNAL_CONNECTION_H_
#define BANYAN_HTTP_INTERNAL_CONNECTION_H_

#include "http/internal/core.h"

namespace banyan::http::internal {

// Registers `socket` (whose executor must be a strand of core.io_context) in core.connections
// and starts serving it.
void SpawnConnection(Core& core, asio::ip::tcp::socket socket);

// For shutdown: closes every connection that is waiting for its next request; the others close
// after answering the request in hand (with "Connection: close").
// REQUIRES: core.stopping is already set.
void DrainConnections(Core& core);

}  // namespace banyan::http::internal

#endif  // BANYAN_HTTP_INTERNAL_CONNECTION_H_
