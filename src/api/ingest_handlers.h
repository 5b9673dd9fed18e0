// The ingestion endpoints SDKs call: Segment-compatible /v1/* and Sensors Data-compatible /sa.
// They authenticate by write key (HTTP Basic user, the body's "writeKey", or ?token= for
// Sensors), never by session or API key, and answer only after the events are durable.
// Browser SDKs call them cross-origin, so they answer CORS preflights; write keys are public by
// nature (they ship inside web pages) and can do nothing but write events.
// Thread safety: handlers are safe from any thread.

#ifndef BANYAN_API_INGEST_HANDLERS_H_
#define BANYAN_API_INGEST_HANDLERS_H_

#include "api/api.h"
#include "http/router.h"

namespace banyan::api {

// Registers /v1/*, /sa, /sa.gif and their OPTIONS preflights. REQUIRES: deps.ingestor set.
void RegisterIngestRoutes(http::Router& router, ApiDeps& deps);
// The paths RegisterIngestRoutes serves, for the OpenAPI consistency test.
std::vector<RouteInfo> ListIngestRoutes();

}  // namespace banyan::api

#endif  // BANYAN_API_INGEST_HANDLERS_H_
