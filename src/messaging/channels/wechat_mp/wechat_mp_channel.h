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
//
// Callbacks (POST /api/v1/messaging/inbound/<channel>), in either of two forms:
//  - WeChat's own push, plaintext mode: the account's server URL receives XML with query
//    `signature`, `timestamp`, `nonce`, where signature = SHA-1 hex of the sorted concatenation
//    of the Token configured in WeChat (our `callback_token`), timestamp and nonce. A wrong
//    signature, or a timestamp more than kWechatCallbackWindow from now, is Unauthenticated.
//    Events: TEMPLATESENDJOBFINISH (MsgID, Status "success" → delivered, "failed:user block" and
//    "failed: system failed" → failed) and subscribe_msg_sent_event (each List's MsgID,
//    ErrorCode 0 → delivered, else failed); text messages from followers are replies (an
//    unsubscribe keyword withdraws WeChat marketing consent). Safe mode (AES-encrypted bodies,
//    encrypt_type=aes or an <Encrypt> element) is not supported: such pushes are refused.
//    WeChat verifies the URL with a GET carrying `echostr`, answered by AnswerVerification with
//    the echostr itself when the signature is valid.
//  - A relay's JSON {"msgid": 1, "status": "success"} with the callback token in X-Banyan-Token.
// Thread safety: Send and ParseInbound are safe from any thread.

#ifndef BANYAN_MESSAGING_CHANNELS_WECHAT_MP_WECHAT_MP_CHANNEL_H_
#define BANYAN_MESSAGING_CHANNELS_WECHAT_MP_WECHAT_MP_CHANNEL_H_

#include <string>
#include <string_view>
#include <vector>

#include "messaging/channel.h"

namespace banyan::messaging::channels {

// How far a callback's timestamp may be from now (either way) before it is refused as stale.
inline constexpr auto kWechatCallbackWindow = std::chrono::minutes(5);
// Limits of the XML a push may carry (WeChat's events are a few hundred bytes, flat or one list).
inline constexpr size_t kWechatXmlBytesMax = 64 * 1024;
inline constexpr int kWechatXmlDepthMax = 4;
inline constexpr int kWechatXmlElementsMax = 256;

// One element of a WeChat push: its text (CDATA or character data, entities decoded) or its
// children.
struct WechatXmlNode {
  std::string name;
  std::string text;
  std::vector<WechatXmlNode> children;
  // The text of the first child named `name`, or "".
  std::string Child(std::string_view name) const;
};
// Parses WeChat's XML: one root element of elements with text or CDATA; an optional <?xml ...?>
// declaration; no DOCTYPE, comments, processing instructions, attributes or mixed content.
// InvalidArgument beyond kWechatXmlBytesMax, kWechatXmlDepthMax or kWechatXmlElementsMax.
Result<WechatXmlNode> ParseWechatXml(std::string_view xml);
// SHA-1 hex of the sorted concatenation of token, timestamp and nonce.
std::string WechatCallbackSignature(std::string_view token, std::string_view timestamp,
                                    std::string_view nonce);

ChannelFactory WechatMpChannelFactory();

}  // namespace banyan::messaging::channels

#endif  // BANYAN_MESSAGING_CHANNELS_WECHAT_MP_WECHAT_MP_CHANNEL_H_
