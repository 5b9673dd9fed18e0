// The messaging module's model: purposes, message states, the message as stored in the outbox,
// its attempts and status history, and the limits every part of the module enforces.
//
// A message goes through these states (stored in table `message`, 0008_messaging.sql):
//
//   queued ──▶ sending ──▶ sent ──▶ delivered ──▶ read / clicked
//     │  ▲        │  └─▶ failed (the provider reported non-delivery)
//     │  └────────┤ retry (backoff)         └─▶ dead (attempts exhausted or a permanent error)
//     ├─▶ deferred (quiet hours or a rate limit: sent when next_attempt_at comes)
//     └─▶ refused (the policy gate, with its reason)
//
// Used by: every messaging file and the api. Thread safety: value types.

#ifndef BANYAN_MESSAGING_TYPES_H_
#define BANYAN_MESSAGING_TYPES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/json.h"

namespace banyan::messaging {

// Why a message is sent. Service messages (statements, transaction alerts, appointment reminders)
// serve the customer's contract and need no marketing consent; marketing ones need it.
enum class Purpose { kService, kMarketing };
std::string_view PurposeName(Purpose purpose);  // "service", "marketing"
std::optional<Purpose> ParsePurpose(std::string_view name);

enum class MessageState {
  kQueued,
  kDeferred,
  kSending,
  kSent,
  kDelivered,
  kFailed,
  kRead,
  kClicked,
  kRefused,
  kDead,
};
std::string_view StateName(MessageState state);
std::optional<MessageState> ParseState(std::string_view name);
// True for states the dispatcher never acts on again (refused, dead, failed and the receipts).
bool IsFinal(MessageState state);
// True once a provider accepted the message (sent and every later receipt state).
bool WasHandedOver(MessageState state);

// Limits. Bodies and variables are bounded so one request cannot fill the outbox.
inline constexpr size_t kIdempotencyKeyBytesMax = 128;
inline constexpr size_t kContentBytesMax = 8 << 10;
inline constexpr size_t kVariablesBytesMax = 8 << 10;
inline constexpr size_t kVariablesCountMax = 64;
inline constexpr size_t kBatchMessagesMax = 1000;
inline constexpr size_t kChannelNameBytesMax = 32;
inline constexpr size_t kTemplateNameBytesMax = 128;
inline constexpr size_t kTemplateBodyBytesMax = 16 << 10;
inline constexpr size_t kChannelConfigBytesMax = 16 << 10;
inline constexpr int kStatusHistoryMax = 200;  // status rows returned with a message
inline constexpr int kAttemptsMax = 20;        // the retry policy's bound may not exceed this
inline constexpr Micros kSendAtFutureMax = std::chrono::hours(24 * 90);
inline constexpr std::string_view kAutoChannel = "auto";

// A message as stored in the outbox.
struct Message {
  int64_t id = 0;
  std::string idempotency_scope;
  std::string idempotency_key;
  std::string request_hash;  // of the request's canonical form: a reused key with another body
  int64_t person_id = 0;     // the recipient's OneID when accepted
  std::optional<int64_t> branch_id;
  std::optional<int64_t> rm_id;
  Purpose purpose = Purpose::kService;
  bool personalised = false;
  std::string channel_requested;  // a channel name or "auto"
  std::string channel;            // the channel of the latest attempt; empty before one
  std::optional<int64_t> template_id;
  std::optional<int64_t> template_version;
  Json variables = Json::object();
  std::optional<std::string> content;  // free text, where the channel allows it
  Timestamp send_at{};
  std::optional<Timestamp> next_attempt_at;
  MessageState state = MessageState::kQueued;
  std::string reason;
  int attempts = 0;
  std::string provider_message_id;
  std::string requested_by_kind;
  std::optional<int64_t> requested_by;
  Timestamp created_at{};
  Timestamp updated_at{};
};

enum class AttemptOutcome { kOk, kRetry, kPermanent, kFallback };
std::string_view OutcomeName(AttemptOutcome outcome);

struct Attempt {
  int attempt = 0;
  std::string channel;
  Timestamp started_at{};
  std::optional<Timestamp> finished_at;
  std::optional<AttemptOutcome> outcome;
  std::string provider_message_id;
  std::string detail;
};

struct StatusChange {
  Timestamp at{};
  MessageState state = MessageState::kQueued;
  std::string reason;
};

// The idempotency id providers see for a message: the same for every attempt, so a provider that
// honours it never delivers the message twice.
std::string ProviderIdempotencyId(int64_t message_id);

}  // namespace banyan::messaging

#endif  // BANYAN_MESSAGING_TYPES_H_
