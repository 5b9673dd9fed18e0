// The "app_push" channel: notifications to the bank's mobile app through a generic HTTP push
// gateway (the bank's own push service, or a vendor's — JPush, Getui, an APNs/FCM relay — behind
// a thin adapter that speaks this shape).
//
// Addresses: the customer's identifiers of `address_type` (default "device_id", the app's device
// identifier in identity; "app_user_id" for gateways that resolve a user alias to devices, or a
// custom type such as "push_token"). Every value the customer holds is a target: one request
// carries up to kAppPushTokensMax of them, so a customer with a phone and a tablet gets the
// notification on both.
//
// Request: POST <url>, headers Content-Type: application/json, Idempotency-Key: banyan-msg-<id>
// and `<auth_header>: [<auth_scheme> ]<token>` (default "Authorization: Bearer <token>"), body
//   {"id": "banyan-msg-<id>", "tokens": ["…"], "title": "…", "body": "…",
//    "deep_link": "bank://…", "purpose": "service" | "marketing"}
// from the rendered template members "title", "text" and "url" ("deep_link" and "title" only
// when present). A gateway that de-duplicates on "id" (or the header) never delivers twice.
// Answer: 2xx {"message_id": "…", "failed_tokens": [...]} — "response_id_field" names the id
// member; when every token is in "failed_tokens" (uninstalled app, expired token) the channel
// cannot reach the customer and the message falls back. 408/429/5xx retry; other 4xx are
// permanent.
//
// Receipts: POST /api/v1/messaging/inbound/<channel> with the callback token (X-Banyan-Token or
// ?token=), body [{"message_id": "…", "status": "delivered" | "failed" | "read" | "clicked",
// "event_id": "…"}] (one object also accepted).
//
// Configuration: {"url", "token" (secret, or {"env": …}), "auth_header", "auth_scheme",
// "address_type", "response_id_field", "callback_token"} plus the common members. The token is
// never logged and shown as "********".
// Thread safety: Send and ParseInbound are safe from any thread.

#ifndef BANYAN_MESSAGING_CHANNELS_APP_PUSH_APP_PUSH_CHANNEL_H_
#define BANYAN_MESSAGING_CHANNELS_APP_PUSH_APP_PUSH_CHANNEL_H_

#include "messaging/channel.h"

namespace banyan::messaging::channels {

// Device tokens sent in one push request (the customer's identifiers of the address type).
inline constexpr size_t kAppPushTokensMax = 10;
inline constexpr size_t kAppPushTitleBytesMax = 256;
inline constexpr size_t kAppPushBodyBytesMax = 4096;

ChannelFactory AppPushChannelFactory();

}  // namespace banyan::messaging::channels

#endif  // BANYAN_MESSAGING_CHANNELS_APP_PUSH_APP_PUSH_CHANNEL_H_
