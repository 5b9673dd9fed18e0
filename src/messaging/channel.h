// Channel plugins: the interface every channel implements, the factory that creates one from its
// JSON configuration, and the one registry list (registry.cc) of the kinds this build has.
//
// A plugin is one folder, src/messaging/channels/<kind>/, and one line in registry.cc. Its
// factory validates the configuration (InvalidArgument naming the member, "/sign_name") and takes
// secrets either literally or as {"env": "NAME"} — read from the environment at creation, so they
// need not sit in the database. Secrets are never logged and never returned by the API:
// RedactSecrets replaces every member the factory lists as secret.
//
// The dispatcher calls Send with the rendered message and the recipient's address; the plugin
// maps it onto its provider's request and classifies the answer (ok / retry / permanent /
// fallback). Providers that answer asynchronously call Banyan back: ParseInbound authenticates
// the callback (signature or token, per provider) and turns it into receipts and replies.
// Channels that must ask for results (WeCom tasks) implement Poll.
//
// Thread safety: a Channel's methods are called from several dispatcher threads at once and must
// be safe for that. Factories and the registry are immutable.

#ifndef BANYAN_MESSAGING_CHANNEL_H_
#define BANYAN_MESSAGING_CHANNEL_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/json.h"
#include "base/result.h"
#include "http/message.h"
#include "messaging/http_client.h"
#include "messaging/types.h"

namespace banyan::messaging {

// One message as the plugin sends it.
struct Outbound {
  int64_t message_id = 0;
  std::string idempotency_id;  // ProviderIdempotencyId(message_id): the same on every attempt
  Purpose purpose = Purpose::kService;
  std::string address;  // phone, e-mail, openid, device token, external user id
  // The rendered template body (variables substituted): "text", and by channel "subject",
  // "template_code" + "params", "card", "suggestions", "title", "url".
  Json content = Json::object();
  std::string unsubscribe_url;  // one-click unsubscribe link for this message (email)
  // The customer's relationship manager (staff id) now, if any: WeCom sends as them.
  std::optional<int64_t> rm_id;
};

struct SendResult {
  AttemptOutcome outcome = AttemptOutcome::kRetry;
  std::string provider_message_id;
  std::string detail;  // why, for the attempt record; never the address or content
};

// A receipt or reply from a provider.
struct InboundItem {
  enum class Kind { kReceipt, kReply };
  Kind kind = Kind::kReceipt;
  std::string provider_event_id;      // de-duplicates a callback delivered twice
  std::string provider_message_id;    // receipts: the message it is about
  std::optional<MessageState> state;  // receipts: delivered, failed, read, clicked
  std::string from_address;           // replies: the sender (phone number, openid)
  std::string text;                   // replies
  Timestamp at{};
};

class Channel {
 public:
  virtual ~Channel() = default;
  // The identifier type of the addresses it sends to: "phone", "email", "wechat_openid", ...
  virtual std::string_view address_type() const = 0;
  // The consent ledger's name for this channel: "sms", "wechat", "rcs", "email", ...
  virtual std::string_view consent_channel() const = 0;
  // Whether the channel may carry `purpose` at all (WeChat template messages: service only).
  virtual bool Carries(Purpose) const { return true; }
  // Whether messages may be free text ("content") rather than a template (Chinese SMS and
  // WeChat template messages need pre-approved provider templates).
  virtual bool FreeText() const { return true; }
  // Of the customer's identifiers of address_type() (normalised values), the address to send
  // to, or "" when none fits (WeChat openids are "appid:openid": only this account's count).
  // Default: the first.
  virtual std::string PickAddress(std::span<const std::string> values) const;
  virtual SendResult Send(const Outbound& message) = 0;
  // Authenticates and parses a provider callback. Unauthenticated when the signature or token
  // is wrong; InvalidArgument for a malformed body. Default: the channel takes no callbacks.
  virtual Result<std::vector<InboundItem>> ParseInbound(const http::Request& request);
  // Answers a provider's verification of the callback URL (GET on the inbound route: WeChat's
  // echostr). Unauthenticated when the signature is wrong; NotFound for channels that have none
  // (the default).
  virtual Result<http::Response> AnswerVerification(const http::Request& request);
  // Whether the dispatcher should ask Poll about messages this channel sent. Default: no.
  virtual bool Polls() const { return false; }
  // Results the channel must ask for (WeCom tasks): receipts for those of `provider_ids` whose
  // result is known. Default: none.
  virtual Result<std::vector<InboundItem>> Poll(std::span<const std::string> provider_ids);
  // Messages one recipient may be handed on this channel per day in the bank's zone (WeCom: one
  // group-send per customer per day from a sender), enforced by the policy gate; 0: no cap.
  virtual int DailyCapPerRecipient() const { return 0; }
  // How a successful callback is answered (some providers want a specific body).
  virtual http::Response InboundAck() const;
};

struct ChannelContext {
  HttpClient& http;
  const Clock& clock;
  const std::map<std::string, std::string>& env;  // for {"env": "NAME"} secrets
  std::string public_base_url;                    // where Banyan's own links point
};

struct ChannelFactory {
  std::string_view kind;
  std::vector<std::string_view> secret_members;  // top-level members RedactSecrets replaces
  Result<std::unique_ptr<Channel>> (*create)(const Json& config, ChannelContext& context);
};

// The kinds of this build, in one list (registry.cc).
const std::vector<ChannelFactory>& ChannelFactories();
const ChannelFactory* FindChannelFactory(std::string_view kind);

// What every answer shows in place of a secret. Given back in PUT /channels/{name}, it keeps
// the secret stored for that member (KeepStoredSecrets).
inline constexpr std::string_view kRedactedSecret = "********";

// `config` with every secret member of `kind` replaced by kRedactedSecret (for the API and logs).
Json RedactSecrets(std::string_view kind, const Json& config);

// `config` with every secret member given as kRedactedSecret replaced by the value `stored`
// (the channel's configuration as stored, of kind `stored_kind`) has for it, so that a change to
// a channel — switching it off, a new rate — need not type its secrets again. InvalidArgument
// naming "/config/<member>" when nothing is stored for that member (no such channel, another
// kind, or the member was never set).
Result<Json> KeepStoredSecrets(std::string_view kind, Json config, std::string_view stored_kind,
                               const Json* stored);

// Reads a secret member: a string, or {"env": "NAME"} naming an environment variable.
// InvalidArgument naming `/member` when missing, empty, or the variable is unset.
Result<std::string> ReadSecret(const Json& config, std::string_view member,
                               const ChannelContext& context);
// Reads a required string member (1..length_max bytes). InvalidArgument naming "/member".
Result<std::string> ReadString(const Json& config, std::string_view member,
                               size_t length_max = 1024);
// Reads an optional string member, `fallback` when absent.
Result<std::string> ReadOptionalString(const Json& config, std::string_view member,
                                       std::string fallback, size_t length_max = 1024);
// Reads a URL member and checks the client accepts it (https, or loopback http in tests).
Result<std::string> ReadUrl(const Json& config, std::string_view member,
                            const ChannelContext& context);

// Members every channel's configuration may have besides its own, read by the channel registry:
// "rate_per_second" (number, 0 = no limit), "fallback" (the channel to try when this one cannot
// reach the recipient), "priority" (integer, lower first, for routing "auto").
inline constexpr std::string_view kCommonChannelMembers[] = {"rate_per_second", "fallback",
                                                             "priority"};
// InvalidArgument naming the first member of `config` that is neither common nor in `own`.
Status RejectUnknownMembers(const Json& config, std::initializer_list<std::string_view> own);

// The outcome for an HTTP status: 2xx ok, 408/429/5xx retry, other 4xx permanent.
AttemptOutcome OutcomeForHttpStatus(int status);

}  // namespace banyan::messaging

#endif  // BANYAN_MESSAGING_CHANNEL_H_
