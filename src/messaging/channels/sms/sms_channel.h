// The "sms" channel: Chinese SMS through an Aliyun-shaped or a Tencent-shaped provider API.
//
// Chinese SMS carries pre-approved provider templates, not free text: a message's template body
// names the provider's "template_code" and its "params" (values may use {{variables}}); "text"
// is the approved wording, kept for the timeline. Marketing messages get the unsubscribe suffix
// "回T退订" as the template parameter `unsubscribe_param` (default "unsubscribe"), which the
// provider's marketing templates end with — operators register them that way.
//
// Configuration:
//   {"provider": "aliyun" | "tencent", "endpoint": "https://dysmsapi.aliyuncs.com/",
//    "access_key_id": "...", "access_key_secret": "..." | {"env": "NAME"},
//    "sign_name": "某某银行", "sdk_app_id": "1400...", (tencent) "region": "ap-guangzhou",
//    "callback_token": "..." | {"env": ...}, "unsubscribe_param": "unsubscribe"}
//
// Receipts and replies (上行) arrive at /api/v1/messaging/inbound/{channel} with the
// callback token in header X-Banyan-Token (or ?token=), in the provider's JSON shape.
// Thread safety: Send and ParseInbound are safe from any thread.

#ifndef BANYAN_MESSAGING_CHANNELS_SMS_SMS_CHANNEL_H_
#define BANYAN_MESSAGING_CHANNELS_SMS_SMS_CHANNEL_H_

#include "messaging/channel.h"

namespace banyan::messaging::channels {

inline constexpr std::string_view kMarketingSmsSuffix = "回T退订";

ChannelFactory SmsChannelFactory();

}  // namespace banyan::messaging::channels

#endif  // BANYAN_MESSAGING_CHANNELS_SMS_SMS_CHANNEL_H_
