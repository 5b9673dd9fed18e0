// The one list of channel kinds this build has. Adding a channel: a folder under channels/ and a
// line here.

#include "messaging/channel.h"
#include "messaging/channels/app_push/app_push_channel.h"
#include "messaging/channels/email/email_channel.h"
#include "messaging/channels/rcs/rcs_channel.h"
#include "messaging/channels/sms/sms_channel.h"
#include "messaging/channels/webhook/webhook_channel.h"
#include "messaging/channels/wechat_mp/wechat_mp_channel.h"
#include "messaging/channels/wecom/wecom_channel.h"

namespace banyan::messaging {

const std::vector<ChannelFactory>& ChannelFactories() {
  static const std::vector<ChannelFactory> kFactories = {
      channels::SmsChannelFactory(),      channels::WebhookChannelFactory(),
      channels::WechatMpChannelFactory(), channels::RcsChannelFactory(),
      channels::EmailChannelFactory(),    channels::AppPushChannelFactory(),
      channels::WecomChannelFactory(),
  };
  return kFactories;
}

}  // namespace banyan::messaging
