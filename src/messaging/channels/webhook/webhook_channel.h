// The "webhook" channel: generic HTTP with a configurable JSON body template — the way to add a
// channel (Douyin, a bank's own app backend) by configuration, without code.
//
// Configuration:
//   {"url": "https://...", "method": "POST", "headers": {"X-Api-Key": "{{secret}}"},
//    "secret": "..." | {"env": "NAME"}, "address_type": "douyin_openid",
//    "consent_channel": "webhook",
//    "body": {"to": "{{address}}", "text": "{{content.text}}", "id": "{{idempotency_id}}"},
//    "response_id_field": "id", "callback_token": "..."}
// Placeholders: {{address}}, {{idempotency_id}}, {{message_id}}, {{purpose}}, {{secret}} and
// {{content.<member>}} for each member of the rendered template body. A 2xx answer is success;
// "response_id_field" names the member of the JSON answer that is the provider's id.
// Receipts: POST [{"id": "<provider id>", "status": "delivered|failed|read", "event_id": "..."}]
// with the callback token.
// Thread safety: Send and ParseInbound are safe from any thread.

#ifndef BANYAN_MESSAGING_CHANNELS_WEBHOOK_WEBHOOK_CHANNEL_H_
#define BANYAN_MESSAGING_CHANNELS_WEBHOOK_WEBHOOK_CHANNEL_H_

#include "messaging/channel.h"

namespace banyan::messaging::channels {

ChannelFactory WebhookChannelFactory();

}  // namespace banyan::messaging::channels

#endif  // BANYAN_MESSAGING_CHANNELS_WEBHOOK_WEBHOOK_CHANNEL_H_
