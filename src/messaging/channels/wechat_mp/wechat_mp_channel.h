// The "wechat_mp" channel: WeChat official-account template messages and subscribe messages.
//
// Service purpose only: WeChat's rules forbid marketing in template messages, so Carries
// (marketing) is false and the policy gate refuses such messages with rule "purpose". Messages
// are provider templates (body: "template_id", "data": {"key": "value"}, optional "url",
// "kind": "template" | "subscribe", "page" for subscribe messages), never free text.
//
// The access token (GET <token_url>?grant_type=client_credential&appid=&secret=) is cached
// until five minutes before it expires and fetched again when WeChat answers 40001/42001
// (invalid or expired token), once per send.
//
// Configuration: {"app_id": "wx…", "app_secret": "…" | {"env": …},
//                 "api_base": "https://api.weixin.qq.com", "callback_token": "…"}
// Receipts (TEMPLATESENDJOBFINISH, relayed as JSON {"msgid": 1, "status": "success"}) arrive
// with the callback token.
// Thread safety: Send and ParseInbound are safe from any thread.

#ifndef BANYAN_MESSAGING_CHANNELS_WECHAT_MP_WECHAT_MP_CHANNEL_H_
#define BANYAN_MESSAGING_CHANNELS_WECHAT_MP_WECHAT_MP_CHANNEL_H_

#include "messaging/channel.h"

namespace banyan::messaging::channels {

ChannelFactory WechatMpChannelFactory();

}  // namespace banyan::messaging::channels

#endif  // BANYAN_MESSAGING_CHANNELS_WECHAT_MP_WECHAT_MP_CHANNEL_H_
