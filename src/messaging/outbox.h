// Outbox: the messages table and its companions (attempts, status history, suppression list,
// short links) as operations inside a store Transaction. The service writes a message here
// before the send API answers; the dispatcher claims due messages from here, and everything it
// learns goes back here, so a crash loses nothing that was accepted.
//
// Claiming: ClaimDue moves due messages to "sending" with next_attempt_at = now + lease. A
// dispatcher that dies mid-send leaves them there; the lease expiring (or ResumeInFlight at the
// next start) makes them due again. Delivery is therefore at-least-once; providers that honour
// our idempotency id (types.h) turn it into exactly-once.
//
// Thread safety: an Outbox has no mutable state; each call uses only its Transaction.

#ifndef BANYAN_MESSAGING_OUTBOX_H_
#define BANYAN_MESSAGING_OUTBOX_H_

#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/clock.h"
#include "messaging/types.h"
#include "store/database.h"

namespace banyan::messaging {

class Outbox {
 public:
  // Inserts `message` with its first status row; sets message.id.
  Status Insert(store::Transaction& tx, Message& message);
  Result<std::optional<Message>> FindByKey(store::Transaction& tx, std::string_view scope,
                                           std::string_view key);
  Result<Message> Get(store::Transaction& tx, int64_t id);
  // Messages matching `where` (SQL over the message table's columns, with `params`), in the
  // order and count the clause gives ("... ORDER BY id DESC LIMIT 51").
  Result<std::vector<Message>> Select(store::Transaction& tx, std::string_view where,
                                      const std::vector<store::Value>& params);
  Result<std::vector<Attempt>> Attempts(store::Transaction& tx, int64_t id);
  Result<std::vector<StatusChange>> History(store::Transaction& tx, int64_t id);

  // Up to `limit` messages whose next_attempt_at <= now, oldest due first, now "sending" with
  // next_attempt_at = now + lease.
  Result<std::vector<Message>> ClaimDue(store::Transaction& tx, Timestamp now, Micros lease,
                                        int limit);
  // Makes every "sending" message due at `now` (start-up: the previous process died mid-send).
  Result<int64_t> ResumeInFlight(store::Transaction& tx, Timestamp now);
  // The earliest next_attempt_at, if any.
  Result<std::optional<Timestamp>> NextDue(store::Transaction& tx);

  // Moves a message to `state` (a status row is added when the state changes or `reason` is
  // given), setting next_attempt_at, channel and provider id when given.
  struct Change {
    MessageState state = MessageState::kQueued;
    std::string reason;
    std::optional<Timestamp> next_attempt_at;  // nullopt: NULL (nothing more to do)
    std::optional<std::string> channel;
    std::optional<std::string> provider_message_id;
    bool count_attempt = false;
  };
  Status Apply(store::Transaction& tx, int64_t id, const Change& change, Timestamp now);
  Status RecordAttempt(store::Transaction& tx, int64_t id, const Attempt& attempt);

  // Marketing messages to any of `persons` created since `since` that were handed to a provider
  // or are being sent, other than `except`.
  Result<int> MarketingSince(store::Transaction& tx, std::span<const int64_t> persons,
                             Timestamp since, int64_t except);
  // MarketingSince for a whole batch: per person of `persons`, the marketing messages created
  // since `since` that were handed to a provider or are being sent (the caller subtracts the
  // message it asks for).
  Result<std::map<int64_t, int>> MarketingCountsSince(store::Transaction& tx,
                                                      std::span<const int64_t> persons,
                                                      Timestamp since);
  // Whether the suppression list has any entry for `channel` or "all" (when not, no address of
  // a batch needs hashing and looking up).
  Result<bool> AnySuppressionFor(store::Transaction& tx, std::string_view channel);
  // Marketing messages accepted (not refused) for `persons` since `since`: the send API's count.
  Result<int> MarketingAcceptedSince(store::Transaction& tx, std::span<const int64_t> persons,
                                     Timestamp since);
  // Messages to any of `persons` handed to `channel` since `since` (an ok attempt), other than
  // `except`, plus those being sent on it with a lower id (claimed before `except`).
  Result<int> ChannelHandedOverSince(store::Transaction& tx, std::span<const int64_t> persons,
                                     std::string_view channel, Timestamp since, int64_t except);
  // Messages for `persons` on `channel` to be sent in [from, until) and not refused or dead: the
  // send API's count for a channel's daily cap.
  Result<int> ChannelAcceptedFor(store::Transaction& tx, std::span<const int64_t> persons,
                                 std::string_view channel, Timestamp from, Timestamp until);
  // Messages read or clicked per channel for `persons` since `since` (routing's engagement).
  Result<std::vector<std::pair<std::string, int>>> Engagement(store::Transaction& tx,
                                                              std::span<const int64_t> persons,
                                                              Timestamp since);

  Result<bool> Suppressed(store::Transaction& tx, std::string_view channel,
                          std::string_view address_type, std::string_view lookup);
  Status Suppress(store::Transaction& tx, std::string_view channel, std::string_view address_type,
                  std::string_view lookup, std::string_view reason, std::optional<int64_t> by,
                  Timestamp now);
  Result<std::optional<Message>> FindByProviderId(store::Transaction& tx, std::string_view channel,
                                                  std::string_view provider_message_id);
};

// "(?, ?, ?)" with `n` placeholders.
std::string Placeholders(size_t n);

}  // namespace banyan::messaging

#endif  // BANYAN_MESSAGING_OUTBOX_H_
