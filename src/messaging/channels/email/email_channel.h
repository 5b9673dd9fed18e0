// The "email" channel: real SMTP through libcurl (smtps://, or smtp:// upgraded with STARTTLS).
//
// The message is text/plain UTF-8 (base64), subject RFC 2047-encoded, with Message-ID
// <banyan-msg-<id>@<domain of from>> (the same on every attempt, so a receiving system can
// de-duplicate). Marketing messages carry List-Unsubscribe (the one-click URL Banyan serves) and
// List-Unsubscribe-Post: List-Unsubscribe=One-Click (RFC 8058).
//
// Configuration: {"smtp_url": "smtps://smtp.bank.example:465", "username": "…",
//                 "password": "…" | {"env": …}, "from": "noreply@bank.example",
//                 "from_name": "榕树银行"}
// SMTP answers: 2xx ok; 4xx and transport failures retry; 5xx is permanent.
// Thread safety: Send is safe from any thread.

#ifndef BANYAN_MESSAGING_CHANNELS_EMAIL_EMAIL_CHANNEL_H_
#define BANYAN_MESSAGING_CHANNELS_EMAIL_EMAIL_CHANNEL_H_

#include "messaging/channel.h"

namespace banyan::messaging::channels {

ChannelFactory EmailChannelFactory();

// The RFC 5322 message the channel sends (exposed for tests).
std::string ComposeEmail(const Outbound& message, std::string_view from, std::string_view from_name,
                         Timestamp now);

}  // namespace banyan::messaging::channels

#endif  // BANYAN_MESSAGING_CHANNELS_EMAIL_EMAIL_CHANNEL_H_
