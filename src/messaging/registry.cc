// The one list of channel kinds this build has. Adding a channel: a folder under channels/ and a
// line here.

#include "messaging/channel.h"
#include "messaging/channels/sms/sms_channel.h"
#include "messaging/channels/webhook/webhook_channel.h"

namespace banyan::messaging {

const std::vector<ChannelFactory>& ChannelFactories() {
  static const std::vector<ChannelFactory> kFactories = {
      channels::SmsChannelFactory(),
      channels::WebhookChannelFactory(),
  };
  return kFactories;
}

}  // namespace banyan::messaging
