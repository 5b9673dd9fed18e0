// The "wecom" channel: Enterprise WeChat (WeCom) customer-contact group-send tasks
// (externalcontact/add_msg_template). WeCom does not deliver such a message itself: it creates a
// task in the sender's WeCom client that the relationship manager confirms, and only then does
// the customer receive it. So a successful send means "task created" (state sent), and the
// result comes from polling get_groupmsg_send_result: 1 → delivered; 2 (not the sender's
// contact) and 3 (the customer already received a group-send from this sender today) → failed;
// 0 (not yet confirmed) → asked again at the next poll.
//
// Sender: the customer's relationship manager's WeCom userid, from "senders" (staff id → WeCom
// userid: Banyan's staff records hold no WeCom userid), else "default_sender"; a customer with
// neither cannot be reached on this channel (outcome fallback).
// Address: the customer's wecom_external_userid for this corp. Consent channel: "wecom".
// Per-customer cap: WeCom allows a customer one group-send per day from a sender, so
// DailyCapPerRecipient is 1 and the policy gate refuses a second message on the channel the
// same day (rule "channel_cap").
//
// Access token: GET <api_base>/cgi-bin/gettoken?corpid=&corpsecret= , cached until five minutes
// before it expires, fetched again when WeCom answers 40014 (invalid) or 42001 (expired).
// Request: POST <api_base>/cgi-bin/externalcontact/add_msg_template?access_token=…
//   {"chat_type": "single", "external_userid": ["…"], "sender": "<userid>",
//    "allow_select": false, "text": {"content": "…"},
//    "attachments": [{"msgtype": "link", "link": {"title", "url", "desc", "picurl"}}]}
// from the rendered members "text" and "link" (an object). The answer's msgid is kept as the
// provider id "<msgid>:<sender>" (polling needs both). A customer in "fail_list" is not the
// sender's contact: fallback. WeCom takes no idempotency id: after a crash between its answer
// and our write a second task may be created, which WeCom's own daily limit fails (status 3).
//
// Configuration: {"corp_id", "secret" (or {"env": …}), "api_base"
// (default https://qyapi.weixin.qq.com), "senders": {"<staff id>": "<userid>"},
// "default_sender"} plus the common members.
// Thread safety: Send and Poll are safe from any thread (the token cache has a lock).

#ifndef BANYAN_MESSAGING_CHANNELS_WECOM_WECOM_CHANNEL_H_
#define BANYAN_MESSAGING_CHANNELS_WECOM_WECOM_CHANNEL_H_

#include "messaging/channel.h"

namespace banyan::messaging::channels {

inline constexpr size_t kWecomSendersMax = 10'000;
inline constexpr size_t kWecomTextBytesMax = 4000;  // WeCom's limit on text.content
// Results asked per get_groupmsg_send_result call (WeCom's maximum).
inline constexpr int kWecomResultPageMax = 1000;

ChannelFactory WecomChannelFactory();

}  // namespace banyan::messaging::channels

#endif  // BANYAN_MESSAGING_CHANNELS_WECOM_WECOM_CHANNEL_H_
