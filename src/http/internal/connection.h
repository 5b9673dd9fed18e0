// Connections: each accepted socket is served by one coroutine, which reads requests (with the
// header and body limits), drives the Pipeline, calls handlers and writes responses, keeping the
// connection alive between requests.
//
// Timeouts and shutdown do not use per-operation timers (a timer per read and write costs more
// than the request itself): each connection publishes its phase (idle, reading, handling,
// writing) and the deadline of that phase in atomics, and a periodic sweep shuts down the
// socket of a connection whose deadline has passed. A handler is never timed out. The socket is
// closed only by the connection itself, after it has left the registry, so the sweep never
// touches a file descriptor that has been reused.
// Used by server.cc. Thread safety: all functions are safe from any thread.

#ifndef BANYAN_HTTP_INTERNAL_CONNECTION_H_
#define BANYAN_HTTP_INTERNAL_CONNECTION_H_

#include "http/internal/core.h"

namespace banyan::http::internal {

// Starts serving `socket`; the connection registers itself in core.connections.
void SpawnConnection(Core& core, asio::ip::tcp::socket socket);

// Shuts down every connection whose current phase has outlived its timeout.
void SweepConnections(Core& core);

// For shutdown: closes every connection that is waiting for its next request; the others close
// after answering the request in hand (with "Connection: close").
// REQUIRES: core.stopping is already set.
void DrainConnections(Core& core);

}  // namespace banyan::http::internal

#endif  // BANYAN_HTTP_INTERNAL_CONNECTION_H_
