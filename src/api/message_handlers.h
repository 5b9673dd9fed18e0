// The messaging API (issue 7, docs/messaging.md): sending messages, reading them with their
// attempts and history, templates and their approval, channel configuration, the suppression
// list, provider callbacks, the customer timeline and short links.
//
// Routes needing a permission pass the same guard as every other route (authentication, CSRF,
// permission); reads are then scoped by messaging::MessagingService to the caller's customers.
// Provider callbacks (/api/v1/messaging/inbound/{channel}) and short links (/l/{code}) are
// public: the channel plugin authenticates the callback (token or signature), and a short link
// is an unguessable code that only redirects.
// Thread safety: handlers are safe from any thread.

#ifndef BANYAN_API_MESSAGE_HANDLERS_H_
#define BANYAN_API_MESSAGE_HANDLERS_H_

#include <vector>

#include "api/api.h"
#include "http/router.h"

namespace banyan::api {

// REQUIRES: deps.messaging set.
void RegisterMessageRoutes(http::Router& router, ApiDeps& deps);
// The paths RegisterMessageRoutes serves, for the OpenAPI consistency test.
std::vector<RouteInfo> ListMessageRoutes();

}  // namespace banyan::api

#endif  // BANYAN_API_MESSAGE_HANDLERS_H_
