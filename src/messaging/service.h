// MessagingService: the unified message API over channel plugins — accept (the send API), the
// dispatcher, inbound receipts and replies, short links, and the customer timeline.
//
// Accepting a message (Send) resolves the recipient within the caller's scope, checks the
// template (approved, purpose and variables) or free text, rewrites links to short links,
// asks the policy gate for the initial answer, and writes the message to the outbox — all before
// answering. The Idempotency-Key is per caller: the same key with the same request returns the
// same message; with a different request it is refused (AlreadyExists → 409).
//
// The dispatcher (Start/Stop; RunOnce for tests) claims due messages in batches, re-asks the gate
// (consent may have been withdrawn meanwhile; quiet hours apply at send time), resolves the
// address, renders, hands the message to its channel's plugin and records the outcome: sent;
// retried with exponential backoff and jitter up to RetryPolicy::attempts_max, then dead; a
// refusal by the provider tries the channel's fallback (5G → SMS) or is dead.
//
// Replies: an SMS (or any channel's) reply of T, TD, 退订 or N withdraws marketing consent for
// that channel at once (consent ledger, source "unsubscribe_reply").
//
// Thread safety: every public method is safe from any thread.

#ifndef BANYAN_MESSAGING_SERVICE_H_
#define BANYAN_MESSAGING_SERVICE_H_

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "auth/principal.h"
#include "base/clock.h"
#include "base/random.h"
#include "base/time.h"
#include "customer/customer_service.h"
#include "messaging/channel_set.h"
#include "messaging/outbox.h"
#include "messaging/policy.h"
#include "messaging/templates.h"
#include "privacy/keyring.h"
#include "store/database.h"

namespace banyan::messaging {

inline constexpr int kTimelinePageMax = 200;
inline constexpr int kClaimBatchMax = 1000;
// Messages of concurrent Send calls written in one transaction (group commit).
inline constexpr size_t kCommitGroupMax = 256;
inline constexpr int kDispatchThreadsMax = 32;
// Sent messages whose results one PollOnce asks a polling channel about.
inline constexpr int kResultPollBatchMax = 500;
inline constexpr size_t kShortLinksPerMessageMax = 8;
inline constexpr size_t kShortLinkCodeBytes = 10;
inline constexpr size_t kUrlBytesMax = 2048;
// Replies that withdraw marketing consent on the channel they arrive on (trimmed, any case).
inline constexpr std::string_view kUnsubscribeReplies[] = {"T", "TD", "退订", "N"};

// The message list (GET /api/v1/messages): items per page.
inline constexpr int kMessageListPageMax = 200;
// The longest range one stats request covers (a quarter).
inline constexpr auto kStatsRangeMax = std::chrono::hours(24 * 92);
// How far a message's created_at may run behind a message with a lower id (it is taken before
// the message waits for its group commit). Time ranges are turned into id ranges by a binary
// search on the primary key, widened by this much, then filtered exactly on created_at.
inline constexpr auto kCreatedAtSkewMax = std::chrono::minutes(10);

// The customer's identifier values of the plugin's address type.
std::vector<std::string> Addresses(const customer::Contacts& contacts, const Channel& plugin);

// True when a reply is an unsubscribe keyword (kUnsubscribeReplies, trimmed, ASCII case ignored).
bool IsUnsubscribeReply(std::string_view text);

struct RetryPolicy {
  int attempts_max = 6;  // 1..kAttemptsMax
  Micros initial_backoff = std::chrono::seconds(2);
  Micros max_backoff = std::chrono::hours(1);
  double jitter = 0.2;  // ± this fraction of the delay
};

struct MessagingOptions {
  PolicyOptions policy;
  RetryPolicy retry;
  // More threads than cores: a thread waits on one provider round trip at a time, so its
  // throughput is 1 / round-trip time; on loopback 2, 4 and 8 measured alike (CPU-bound).
  int dispatch_threads = 8;
  int claim_batch = 100;
  Micros lease = std::chrono::seconds(60);  // a claimed message is retried after this
  Micros idle_poll = std::chrono::milliseconds(200);
  Micros engagement_window = std::chrono::hours(24 * 90);
  std::string public_base_url = "http://127.0.0.1:8080";  // short links: <base>/l/<code>
  // Channels that poll for results (WeCom): how often, and for how long after a message was
  // sent its result is asked for (a task the relationship manager never confirms stays "sent").
  Micros result_poll_interval = std::chrono::seconds(60);
  Micros result_poll_window = std::chrono::hours(24 * 3);
};

// What a caller asks to send. Exactly one of one_id / identifier; template or content.
struct SendRequest {
  std::optional<int64_t> one_id;
  std::optional<std::pair<std::string, std::string>> identifier;  // (type, value)
  std::optional<Purpose> purpose;  // default: the template's purpose; required with content
  bool personalised = false;
  std::string channel = std::string(kAutoChannel);
  std::optional<int64_t> template_id;
  std::optional<int> template_version;
  Json variables = Json::object();
  std::optional<std::string> content;
  std::optional<Timestamp> send_at;
};
// Parses the JSON form (docs/messaging.md); errors point into `base` ("/messages/3/channel").
Result<SendRequest> ParseSendRequest(const Json& body, const std::string& base = "");

// GET /api/v1/messages: newest first; every member optional.
struct MessageListQuery {
  std::optional<MessageState> state;
  std::string channel;
  std::optional<Purpose> purpose;
  std::optional<int64_t> template_id;
  std::optional<Timestamp> from;     // created_at >= from
  std::optional<Timestamp> to;       // created_at < to
  int limit = 50;                    // 1..kMessageListPageMax
  std::optional<int64_t> before_id;  // the cursor: messages with a lower id
};

// GET /api/v1/messaging/stats: counts by state per channel or per day, or gate outcomes
// (refused, deferred) by rule.
enum class StatsGroup { kChannel, kReason, kDay };
std::optional<StatsGroup> ParseStatsGroup(std::string_view name);
struct StatsQuery {
  Timestamp from{};
  Timestamp to{};  // (to - from) in (0, kStatsRangeMax]
  StatsGroup group_by = StatsGroup::kChannel;
};

struct Accepted {
  Message message;
  bool created = true;  // false: an earlier request with the same key
};

class MessagingService {
 public:
  struct Deps {
    store::Database& db;
    customer::CustomerService& customers;
    const privacy::KeyRing& ring;
    const Clock& clock;
    Random& random;
    BusinessCalendar calendar;
    HttpClient& http;
    std::map<std::string, std::string> env;  // for {"env": NAME} channel secrets
  };

  // Loads the configured channels and makes in-flight messages of a previous process due.
  static Result<std::unique_ptr<MessagingService>> Open(Deps deps, MessagingOptions options);
  ~MessagingService();

  // The send API. `key` is the Idempotency-Key header (1..kIdempotencyKeyBytesMax bytes).
  Result<Accepted> Send(const auth::Principal& principal, std::string_view key,
                        const SendRequest& request);
  // The batch send API: every message accepted in ONE write transaction (each in a savepoint, so
  // one message's error does not undo the others). Answers in the order of `requests`; `keys`
  // holds each message's Idempotency-Key.
  std::vector<Result<Accepted>> SendMany(const auth::Principal& principal,
                                         std::span<const std::string> keys,
                                         std::span<const SendRequest> requests);
  // A message with its attempts and status history; NotFound outside the caller's scope.
  Result<Json> Get(const auth::Principal& principal, int64_t id);

  // Messages accepted in the caller's scope (the recipient's branch and relationship manager at
  // acceptance), newest first: {"items": [...as Get, without attempts; recipient by OneID],
  // "next_cursor"}. InvalidArgument for a bad cursor.
  Result<Json> ListMessages(const auth::Principal& principal, const MessageListQuery& query,
                            std::string_view cursor);
  // Counts of messages accepted in [from, to) in the caller's scope.
  Result<Json> Stats(const auth::Principal& principal, const StatsQuery& query);

  // Templates (templates:write / templates:approve are checked by the api).
  TemplateStore& templates() { return templates_; }
  store::Database& db() { return deps_.db; }
  const Clock& clock() const { return deps_.clock; }
  // A template rendered with `variables` (and the customer's masked name, if one_id is given).
  Result<Json> Preview(const auth::Principal& principal, int64_t template_id,
                       std::optional<int> version, const Json& variables,
                       std::optional<int64_t> one_id);

  // Channels.
  Result<Json> PutChannel(const auth::Principal& principal, std::string_view name,
                          std::string_view kind, const Json& config, bool enabled);
  Json ListChannels() const;
  Result<Json> GetChannel(std::string_view name) const;
  ChannelSet& channels() { return channels_; }

  // Suppression list: adds an address (normalised as identity does) on a channel or "all".
  Status Suppress(const auth::Principal& principal, std::string_view channel,
                  std::string_view address_type, std::string_view address, std::string_view reason);

  // A provider callback for channel `name`: authenticated by the plugin, then receipts update
  // their messages and replies land on the timeline (an unsubscribe reply withdraws consent).
  Result<http::Response> HandleInbound(std::string_view name, const http::Request& request);
  // A provider's check of the callback URL (GET: WeChat's echostr), answered by the plugin when
  // its signature is valid. NotFound for unknown channels and plugins that have none.
  Result<http::Response> HandleVerification(std::string_view name, const http::Request& request);
  // One-click unsubscribe (RFC 8058) from the link in a marketing message: withdraws marketing
  // consent on the message's channel. `token` is "<message id>.<keyed hash>": unguessable
  // without the key ring. NotFound for a token that does not verify.
  Status Unsubscribe(std::string_view token);
  // The one-click unsubscribe URL for a message.
  std::string UnsubscribeUrl(int64_t message_id) const;
  // Records a click on short link `code` and returns where it points. NotFound for an unknown
  // code.
  Result<std::string> Click(std::string_view code);

  // Messages in and out merged with the customer's events, newest first. `kinds` filters
  // ("event", "message", "inbound"; empty: all); `channel` filters messages by channel.
  struct TimelineQuery {
    std::string cursor;
    int limit = 50;
    std::vector<std::string> kinds;
    std::string channel;
  };
  Result<Json> Timeline(const auth::Principal& principal, int64_t one_id,
                        const TimelineQuery& query);

  // Dispatcher.
  void Start();
  void Stop();
  // Claims and sends one batch now; returns how many messages it handled.
  Result<int> RunOnce();
  // Asks every channel that polls (Channel::Polls: WeCom) for the results of its messages still
  // "sent" within result_poll_window, oldest first, and applies them as receipts. Returns how
  // many receipts it applied. The dispatcher threads call it every result_poll_interval.
  Result<int> PollOnce();
  // Wakes the dispatcher (new message accepted).
  void Wake();

 private:
  MessagingService(Deps deps, MessagingOptions options);
  // One message being accepted: what was resolved before its transaction, and its answer.
  struct PendingSend {
    const SendRequest* request = nullptr;
    std::string key;
    Message m;
    customer::Contacts contacts;
    Result<Accepted> result = InternalError("not written");
    bool done = false;  // guarded by commit_mutex_
  };
  Result<PendingSend> BeginSend(const auth::Principal& principal, std::string_view key,
                                const SendRequest& request);
  Status WriteSend(store::Transaction& tx, PendingSend& pending);
  void CommitGroup(std::span<PendingSend* const> group);
  void GroupCommit(PendingSend& pending);
  struct Work;  // one claimed message being handled
  void Loop();
  Result<std::vector<Work>> Prepare(std::vector<Message> claimed);
  void Deliver(Work& work);
  Status Record(std::vector<Work>& batch);
  Result<std::string> Route(store::Transaction& tx, const Message& message,
                            const customer::Contacts& contacts);
  Result<TemplateVersion> CachedVersion(store::Transaction& tx, int64_t template_id, int version);
  Micros Backoff(int attempt);
  std::vector<std::string> AddressTypes() const;
  Result<bool> IsSuppressed(store::Transaction& tx, const ConfiguredChannel& channel,
                            std::string_view address);
  // Whether any of the customer's addresses for the channel is suppressed (a customer with two
  // phone numbers, one on the list, is not messaged on either: the list names a person's wish).
  Result<bool> AnySuppressed(store::Transaction& tx, const ConfiguredChannel& channel,
                             std::span<const std::string> addresses);
  Result<std::string> Shorten(std::string_view url, std::vector<std::string>* codes);
  // reads.cc: the first message id whose created_at is >= t (ids grow with created_at, up to
  // kCreatedAtSkewMax), by binary search on the primary key.
  Result<int64_t> IdAtOrAfter(store::Transaction& tx, Timestamp t);
  Json MessageBody(const Message& m, Json recipient, const std::vector<StatusChange>& history,
                   const std::vector<std::pair<std::string, int64_t>>& links) const;
  Status StoreInbound(store::Transaction& tx, const ConfiguredChannel& channel,
                      const InboundItem& item, std::optional<int64_t> person,
                      std::optional<int64_t> message_id);
  Status ApplyReceipt(const ConfiguredChannel& channel, const InboundItem& item);
  Status ApplyReply(const ConfiguredChannel& channel, const InboundItem& item);

  Deps deps_;
  const MessagingOptions options_;
  ChannelSet channels_;
  PolicyGate gate_;
  Outbox outbox_;
  TemplateStore templates_;

  std::mutex random_mutex_;  // guards deps_.random
  std::mutex versions_mutex_;
  std::map<std::pair<int64_t, int>, TemplateVersion> versions_;  // approved versions only

  std::mutex commit_mutex_;
  std::condition_variable committed_;
  bool committing_ = false;                 // guarded by commit_mutex_
  std::vector<PendingSend*> commit_queue_;  // guarded by commit_mutex_

  std::mutex wake_mutex_;
  std::condition_variable wake_;
  bool woken_ = false;
  std::atomic<bool> stopping_{false};
  std::atomic<int64_t> next_result_poll_{0};  // unix micros
  std::vector<std::thread> threads_;
};

}  // namespace banyan::messaging

#endif  // BANYAN_MESSAGING_SERVICE_H_
