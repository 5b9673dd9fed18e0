// The "rcs" channel: 5G messages through a GSMA MaaP chatbot platform (China Mobile, Unicom and
// Telecom run MaaP; the API follows the GSMA UP chatbot API).
//
// Before sending, the plugin asks the platform whether the handset is 5G-message capable
// (GET <endpoint>/contactCapabilities?userContact=tel:+86…); a 404 or an empty capability list
// answers kFallback, and the dispatcher sends through the channel's "fallback" (normally "sms").
// The message is text ("text"), a rich card ("card": {title, description, media}) and
// suggestions ("suggestions": [{"reply": "…"} | {"url": "…", "text": "…"}]).
//
// Configuration: {"endpoint": "https://maap.example/bot/v1/<chatbot id>", "token": "…" | {"env"},
//                 "callback_token": "…", "fallback": "sms"}
// Receipts ({"messageId": …, "status": "delivered" | "displayed" | "failed"}) arrive with the
// callback token.
// Thread safety: Send and ParseInbound are safe from any thread.

#ifndef BANYAN_MESSAGING_CHANNELS_RCS_RCS_CHANNEL_H_
#define BANYAN_MESSAGING_CHANNELS_RCS_RCS_CHANNEL_H_

#include "messaging/channel.h"

namespace banyan::messaging::channels {

ChannelFactory RcsChannelFactory();

}  // namespace banyan::messaging::channels

#endif  // BANYAN_MESSAGING_CHANNELS_RCS_RCS_CHANNEL_H_
