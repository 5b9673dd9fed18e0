// MessagingService: provider callbacks (receipts and replies) and short-link clicks.

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "base/logging.h"
#include "messaging/internal/signing.h"
#include "messaging/service.h"
#include "privacy/keyed_hash.h"

namespace banyan::messaging {
namespace {

// The rank of a receipt state: a receipt only moves a message forward (a late "delivered" never
// undoes "read").
int Rank(MessageState state) {
  switch (state) {
    case MessageState::kSent:
      return 1;
    case MessageState::kDelivered:
    case MessageState::kFailed:
      return 2;
    case MessageState::kRead:
      return 3;
    case MessageState::kClicked:
      return 4;
    default:
      return 0;
  }
}

std::string Trimmed(std::string_view text) {
  const auto begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return "";
  const auto end = text.find_last_not_of(" \t\r\n");
  std::string out(text.substr(begin, end - begin + 1));
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; });
  return out;
}

}  // namespace

bool IsUnsubscribeReply(std::string_view text) {
  const std::string word = Trimmed(text);
  return std::find(std::begin(kUnsubscribeReplies), std::end(kUnsubscribeReplies), word) !=
         std::end(kUnsubscribeReplies);
}

Status MessagingService::StoreInbound(store::Transaction& tx, const ConfiguredChannel& channel,
                                      const InboundItem& item, std::optional<int64_t> person,
                                      std::optional<int64_t> message_id) {
  Json body = {{"provider_message_id", item.provider_message_id}};
  std::string_view kind = "receipt";
  if (item.kind == InboundItem::Kind::kReply) {
    kind = "reply";
    body = {{"text", item.text}};
  } else if (item.state) {
    body["state"] = StateName(*item.state);
  }
  return tx.Execute(
      "INSERT INTO message_inbound (channel, kind, provider_event_id, message_id, person_id, at, "
      "received_at, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      {channel.name, kind,
       item.provider_event_id.empty() ? store::Value() : store::Value(item.provider_event_id),
       message_id, person, ToUnixMicros(item.at), ToUnixMicros(deps_.clock.Now()), body.dump()});
}

Status MessagingService::ApplyReceipt(const ConfiguredChannel& channel, const InboundItem& item) {
  const Timestamp now = deps_.clock.Now();
  return deps_.db.Write([&](store::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(auto message,
                     outbox_.FindByProviderId(tx, channel.name, item.provider_message_id));
    Status stored = StoreInbound(
        tx, channel, item, message ? std::optional<int64_t>(message->person_id) : std::nullopt,
        message ? std::optional<int64_t>(message->id) : std::nullopt);
    if (stored.code() == StatusCode::kAlreadyExists) return Status::Ok();  // delivered twice
    RETURN_IF_ERROR(stored);
    if (!message || !item.state || Rank(*item.state) <= Rank(message->state)) return Status::Ok();
    Outbox::Change change;
    change.state = *item.state;
    change.reason = fmt::format("receipt from {}", channel.name);
    return outbox_.Apply(tx, message->id, change, now);
  });
}

Status MessagingService::ApplyReply(const ConfiguredChannel& channel, const InboundItem& item) {
  std::optional<int64_t> person;
  const std::string type(channel.plugin->address_type());
  if (!item.from_address.empty()) {
    auto found = deps_.customers.Find(auth::Principal::System(), type, item.from_address);
    if (found.ok() && found->size() == 1) person = found->front();
  }
  bool duplicate = false;
  RETURN_IF_ERROR(deps_.db.Write([&](store::Transaction& tx) -> Status {
    Status stored = StoreInbound(tx, channel, item, person, std::nullopt);
    if (stored.code() == StatusCode::kAlreadyExists) {
      duplicate = true;
      return Status::Ok();
    }
    return stored;
  }));
  if (duplicate || !person || !IsUnsubscribeReply(item.text)) return Status::Ok();
  privacy::ConsentFact fact;
  fact.purpose = privacy::Purpose::kMarketing;
  fact.channel = std::string(channel.plugin->consent_channel());
  fact.granted = false;
  fact.at = std::min(item.at, deps_.clock.Now());
  fact.source = "unsubscribe_reply";
  fact.evidence = Json{{"channel", channel.name},
                       {"provider_event_id", item.provider_event_id},
                       {"reply", Trimmed(item.text)}}
                      .dump();
  if (!item.provider_event_id.empty()) {
    fact.idempotency_key = fmt::format("reply:{}:{}", channel.name, item.provider_event_id);
  }
  auto recorded = deps_.customers.RecordConsent(auth::Principal::System(), *person, fact,
                                                {"messaging.inbound", ""});
  if (!recorded.ok()) return recorded.status();
  log::Info("messaging.unsubscribed", {{"channel", channel.name}, {"one_id", *person}});
  return Status::Ok();
}

Result<http::Response> MessagingService::HandleInbound(std::string_view name,
                                                       const http::Request& request) {
  auto channel = channels_.Find(name);
  if (!channel) return NotFoundError(fmt::format("channel {} not found", name));
  ASSIGN_OR_RETURN(std::vector<InboundItem> items, channel->plugin->ParseInbound(request));
  for (const InboundItem& item : items) {
    if (item.kind == InboundItem::Kind::kReceipt) {
      RETURN_IF_ERROR(ApplyReceipt(*channel, item));
    } else {
      RETURN_IF_ERROR(ApplyReply(*channel, item));
    }
  }
  return channel->plugin->InboundAck();
}

Result<http::Response> MessagingService::HandleVerification(std::string_view name,
                                                            const http::Request& request) {
  auto channel = channels_.Find(name);
  if (!channel) return NotFoundError(fmt::format("channel {} not found", name));
  return channel->plugin->AnswerVerification(request);
}

Result<int> MessagingService::PollOnce() {
  int applied = 0;
  const Timestamp since = deps_.clock.Now() - options_.result_poll_window;
  for (const ConfiguredChannel& channel : channels_.All()) {
    if (!channel.enabled || !channel.plugin->Polls()) continue;
    std::vector<std::string> ids;
    RETURN_IF_ERROR(deps_.db.Read([&](store::Transaction& tx) -> Status {
      return tx.Query(
          "SELECT provider_message_id FROM message WHERE channel = ? AND provider_message_id IS "
          "NOT NULL AND state = 'sent' AND updated_at >= ? ORDER BY id LIMIT ?",
          {channel.name, ToUnixMicros(since), kResultPollBatchMax}, [&](const store::Row& row) {
            ids.push_back(row.Text(0));
            return Status::Ok();
          });
    }));
    if (ids.empty()) continue;
    auto items = channel.plugin->Poll(ids);
    if (!items.ok()) {
      log::Warn("messaging.poll_failed",
                {{"channel", channel.name}, {"error", items.status().ToString()}});
      continue;
    }
    for (const InboundItem& item : *items) {
      RETURN_IF_ERROR(ApplyReceipt(channel, item));
      ++applied;
    }
  }
  return applied;
}

namespace {

std::string UnsubscribeMac(const privacy::KeyRing& ring, int64_t message_id) {
  const auto mac = privacy::KeyedHash(ring, "messaging.unsubscribe", std::to_string(message_id));
  return internal::Hex(privacy::AsBytes(mac));
}

}  // namespace

std::string MessagingService::UnsubscribeUrl(int64_t message_id) const {
  return fmt::format("{}/api/v1/messaging/unsubscribe/{}.{}", options_.public_base_url, message_id,
                     UnsubscribeMac(deps_.ring, message_id));
}

Status MessagingService::Unsubscribe(std::string_view token) {
  const auto dot = token.find('.');
  int64_t id = 0;
  if (dot == std::string_view::npos ||
      std::from_chars(token.data(), token.data() + dot, id).ec != std::errc() ||
      !internal::ConstantTimeEquals(token.substr(dot + 1), UnsubscribeMac(deps_.ring, id))) {
    return NotFoundError("unknown unsubscribe link");
  }
  Message message;
  RETURN_IF_ERROR(deps_.db.Read([&](store::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(message, outbox_.Get(tx, id));
    return Status::Ok();
  }));
  auto channel = channels_.Find(message.channel);
  privacy::ConsentFact fact;
  fact.purpose = privacy::Purpose::kMarketing;
  fact.channel = channel ? std::string(channel->plugin->consent_channel()) : "all";
  fact.granted = false;
  fact.at = deps_.clock.Now();
  fact.source = "unsubscribe_link";
  fact.evidence = Json{{"message_id", id}}.dump();
  fact.idempotency_key = fmt::format("unsubscribe:{}", id);
  auto recorded = deps_.customers.RecordConsent(auth::Principal::System(), message.person_id, fact,
                                                {"messaging.unsubscribe", ""});
  return recorded.status();
}

Result<std::string> MessagingService::Click(std::string_view code) {
  if (code.empty() || code.size() > kShortLinkCodeBytes) return NotFoundError("link not found");
  std::string url;
  const Timestamp now = deps_.clock.Now();
  RETURN_IF_ERROR(deps_.db.Write([&](store::Transaction& tx) -> Status {
    int64_t message_id = 0;
    RETURN_IF_ERROR(tx.Query("SELECT url, message_id FROM message_link WHERE code = ?", {code},
                             [&](const store::Row& row) {
                               url = row.Text(0);
                               message_id = row.Int(1);
                               return Status::Ok();
                             }));
    if (url.empty()) return NotFoundError("link not found");
    RETURN_IF_ERROR(
        tx.Execute("UPDATE message_link SET clicks = clicks + 1, first_clicked_at = "
                   "COALESCE(first_clicked_at, ?) WHERE code = ?",
                   {ToUnixMicros(now), code}));
    ASSIGN_OR_RETURN(Message message, outbox_.Get(tx, message_id));
    RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO message_inbound (channel, kind, message_id, person_id, at, received_at, "
        "body) VALUES (?, 'click', ?, ?, ?, ?, ?)",
        {message.channel, message_id, message.person_id, ToUnixMicros(now), ToUnixMicros(now),
         Json{{"code", code}, {"url", url}}.dump()}));
    if (Rank(message.state) >= Rank(MessageState::kSent) &&
        Rank(message.state) < Rank(MessageState::kClicked)) {
      Outbox::Change change;
      change.state = MessageState::kClicked;
      change.reason = "short link clicked";
      RETURN_IF_ERROR(outbox_.Apply(tx, message_id, change, now));
    }
    return Status::Ok();
  }));
  return url;
}

}  // namespace banyan::messaging
