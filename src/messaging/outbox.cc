#include "messaging/outbox.h"

#include <fmt/format.h>

namespace banyan::messaging {
namespace {

constexpr std::string_view kColumns =
    "id, idempotency_scope, idempotency_key, request_hash, person_id, branch_id, rm_id, purpose, "
    "personalised, channel_requested, channel, template_id, template_version, variables, "
    "content, send_at, next_attempt_at, state, reason, attempts, provider_message_id, "
    "requested_by_kind, requested_by, created_at, updated_at";

Message MessageFromRow(const store::Row& row) {
  Message m;
  m.id = row.Int(0);
  m.idempotency_scope = row.Text(1);
  m.idempotency_key = row.Text(2);
  m.request_hash = row.Text(3);
  m.person_id = row.Int(4);
  m.branch_id = row.OptionalInt(5);
  m.rm_id = row.OptionalInt(6);
  m.purpose = ParsePurpose(row.Text(7)).value_or(Purpose::kMarketing);
  m.personalised = row.Int(8) != 0;
  m.channel_requested = row.Text(9);
  m.channel = row.Text(10);
  m.template_id = row.OptionalInt(11);
  if (auto v = row.OptionalInt(12)) m.template_version = *v;
  m.variables = ParseJson(row.Text(13)).value_or(Json::object());
  m.content = row.OptionalText(14);
  m.send_at = FromUnixMicros(row.Int(15));
  if (auto at = row.OptionalInt(16)) m.next_attempt_at = FromUnixMicros(*at);
  m.state = ParseState(row.Text(17)).value_or(MessageState::kQueued);
  m.reason = row.Text(18);
  m.attempts = static_cast<int>(row.Int(19));
  m.provider_message_id = row.Text(20);
  m.requested_by_kind = row.Text(21);
  m.requested_by = row.OptionalInt(22);
  m.created_at = FromUnixMicros(row.Int(23));
  m.updated_at = FromUnixMicros(row.Int(24));
  return m;
}

std::optional<int64_t> OptionalMicros(const std::optional<Timestamp>& t) {
  if (!t) return std::nullopt;
  return ToUnixMicros(*t);
}

std::vector<store::Value> PersonParams(std::span<const int64_t> persons) {
  std::vector<store::Value> params;
  for (int64_t p : persons) params.emplace_back(p);
  return params;
}

}  // namespace

std::string Placeholders(size_t n) {
  std::string out = "(";
  for (size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ", ?";
  return out + ")";
}

Status Outbox::Insert(store::Transaction& tx, Message& m) {
  RETURN_IF_ERROR(tx.Execute(
      "INSERT INTO message (idempotency_scope, idempotency_key, request_hash, person_id, "
      "branch_id, rm_id, purpose, personalised, channel_requested, channel, template_id, "
      "template_version, variables, content, send_at, next_attempt_at, state, reason, attempts, "
      "requested_by_kind, requested_by, created_at, updated_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)",
      {m.idempotency_scope,
       m.idempotency_key,
       m.request_hash,
       m.person_id,
       m.branch_id,
       m.rm_id,
       PurposeName(m.purpose),
       m.personalised,
       m.channel_requested,
       m.channel.empty() ? store::Value() : store::Value(m.channel),
       m.template_id,
       m.template_version ? store::Value(*m.template_version) : store::Value(),
       m.variables.dump(),
       m.content,
       ToUnixMicros(m.send_at),
       OptionalMicros(m.next_attempt_at),
       StateName(m.state),
       m.reason,
       m.requested_by_kind,
       m.requested_by,
       ToUnixMicros(m.created_at),
       ToUnixMicros(m.created_at)}));
  m.id = tx.LastInsertId();
  m.updated_at = m.created_at;
  return tx.Execute(
      "INSERT INTO message_status (message_id, at, state, reason) VALUES (?, ?, ?, ?)",
      {m.id, ToUnixMicros(m.created_at), StateName(m.state), m.reason});
}

Result<std::optional<Message>> Outbox::FindByKey(store::Transaction& tx, std::string_view scope,
                                                 std::string_view key) {
  std::optional<Message> out;
  RETURN_IF_ERROR(tx.Query(
      fmt::format("SELECT {} FROM message WHERE idempotency_scope = ? AND idempotency_key = ?",
                  kColumns),
      {scope, key}, [&](const store::Row& row) {
        out = MessageFromRow(row);
        return Status::Ok();
      }));
  return out;
}

Result<Message> Outbox::Get(store::Transaction& tx, int64_t id) {
  return tx.QueryOne<Message>(fmt::format("SELECT {} FROM message WHERE id = ?", kColumns), {id},
                              fmt::format("message {}", id), MessageFromRow);
}

Result<std::vector<Message>> Outbox::Select(store::Transaction& tx, std::string_view where,
                                            const std::vector<store::Value>& params) {
  std::vector<Message> out;
  RETURN_IF_ERROR(tx.Query(fmt::format("SELECT {} FROM message WHERE {}", kColumns, where), params,
                           [&](const store::Row& row) {
                             out.push_back(MessageFromRow(row));
                             return Status::Ok();
                           }));
  return out;
}

Result<std::optional<Message>> Outbox::FindByProviderId(store::Transaction& tx,
                                                        std::string_view channel,
                                                        std::string_view provider_message_id) {
  std::optional<Message> out;
  RETURN_IF_ERROR(tx.Query(
      fmt::format("SELECT {} FROM message WHERE channel = ? AND provider_message_id = ?", kColumns),
      {channel, provider_message_id},
      [&](const store::Row& row) {
        out = MessageFromRow(row);
        return Status::Ok();
      },
      1));
  return out;
}

Result<std::vector<Attempt>> Outbox::Attempts(store::Transaction& tx, int64_t id) {
  std::vector<Attempt> out;
  RETURN_IF_ERROR(tx.Query(
      "SELECT attempt, channel, started_at, finished_at, outcome, provider_message_id, detail "
      "FROM message_attempt WHERE message_id = ? ORDER BY attempt",
      {id}, [&](const store::Row& row) {
        Attempt a;
        a.attempt = static_cast<int>(row.Int(0));
        a.channel = row.Text(1);
        a.started_at = FromUnixMicros(row.Int(2));
        if (auto at = row.OptionalInt(3)) a.finished_at = FromUnixMicros(*at);
        const std::string outcome = row.Text(4);
        for (auto o : {AttemptOutcome::kOk, AttemptOutcome::kRetry, AttemptOutcome::kPermanent,
                       AttemptOutcome::kFallback}) {
          if (OutcomeName(o) == outcome) a.outcome = o;
        }
        a.provider_message_id = row.Text(5);
        a.detail = row.Text(6);
        out.push_back(std::move(a));
        return Status::Ok();
      }));
  return out;
}

Result<std::vector<StatusChange>> Outbox::History(store::Transaction& tx, int64_t id) {
  std::vector<StatusChange> out;
  RETURN_IF_ERROR(tx.Query(
      "SELECT at, state, reason FROM message_status WHERE message_id = ? ORDER BY id LIMIT ?",
      {id, kStatusHistoryMax}, [&](const store::Row& row) {
        out.push_back({FromUnixMicros(row.Int(0)),
                       ParseState(row.Text(1)).value_or(MessageState::kQueued), row.Text(2)});
        return Status::Ok();
      }));
  return out;
}

Result<std::vector<Message>> Outbox::ClaimDue(store::Transaction& tx, Timestamp now, Micros lease,
                                              int limit) {
  std::vector<Message> out;
  RETURN_IF_ERROR(
      tx.Query(fmt::format("SELECT {} FROM message WHERE next_attempt_at IS NOT NULL AND "
                           "next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?",
                           kColumns),
               {ToUnixMicros(now), limit}, [&](const store::Row& row) {
                 out.push_back(MessageFromRow(row));
                 return Status::Ok();
               }));
  const int64_t until = ToUnixMicros(now + lease);
  for (Message& m : out) {
    RETURN_IF_ERROR(tx.Execute(
        "UPDATE message SET state = 'sending', next_attempt_at = ?, updated_at = ? WHERE id = ?",
        {until, ToUnixMicros(now), m.id}));
  }
  return out;
}

Result<int64_t> Outbox::ResumeInFlight(store::Transaction& tx, Timestamp now) {
  RETURN_IF_ERROR(tx.Execute("UPDATE message SET next_attempt_at = ? WHERE state = 'sending'",
                             {ToUnixMicros(now)}));
  return tx.Changes();
}

Result<std::optional<Timestamp>> Outbox::NextDue(store::Transaction& tx) {
  std::optional<Timestamp> out;
  RETURN_IF_ERROR(
      tx.Query("SELECT MIN(next_attempt_at) FROM message WHERE next_attempt_at IS NOT NULL", {},
               [&](const store::Row& row) {
                 if (!row.IsNull(0)) out = FromUnixMicros(row.Int(0));
                 return Status::Ok();
               }));
  return out;
}

Status Outbox::Apply(store::Transaction& tx, int64_t id, const Change& change, Timestamp now) {
  std::string sql = "UPDATE message SET state = ?, next_attempt_at = ?, updated_at = ?";
  std::vector<store::Value> params{StateName(change.state), OptionalMicros(change.next_attempt_at),
                                   ToUnixMicros(now)};
  if (!change.reason.empty()) {
    sql += ", reason = ?";
    params.emplace_back(change.reason);
  }
  if (change.channel) {
    sql += ", channel = ?";
    params.emplace_back(*change.channel);
  }
  if (change.provider_message_id) {
    sql += ", provider_message_id = ?";
    params.emplace_back(*change.provider_message_id);
  }
  if (change.count_attempt) sql += ", attempts = attempts + 1";
  sql += " WHERE id = ?";
  params.emplace_back(id);
  RETURN_IF_ERROR(tx.Execute(sql, params));
  if (tx.Changes() != 1) return NotFoundError(fmt::format("message {} not found", id));
  return tx.Execute(
      "INSERT INTO message_status (message_id, at, state, reason) VALUES (?, ?, ?, ?)",
      {id, ToUnixMicros(now), StateName(change.state), change.reason});
}

Status Outbox::RecordAttempt(store::Transaction& tx, int64_t id, const Attempt& a) {
  return tx.Execute(
      "INSERT INTO message_attempt (message_id, attempt, channel, started_at, finished_at, "
      "outcome, provider_message_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      {id, a.attempt, a.channel, ToUnixMicros(a.started_at), OptionalMicros(a.finished_at),
       a.outcome ? store::Value(OutcomeName(*a.outcome)) : store::Value(),
       a.provider_message_id.empty() ? store::Value() : store::Value(a.provider_message_id),
       a.detail});
}

Result<int> Outbox::MarketingSince(store::Transaction& tx, std::span<const int64_t> persons,
                                   Timestamp since, int64_t except) {
  int count = 0;
  std::vector<store::Value> params = PersonParams(persons);
  params.emplace_back(ToUnixMicros(since));
  params.emplace_back(except);
  RETURN_IF_ERROR(tx.Query(
      fmt::format("SELECT COUNT(*) FROM message WHERE person_id IN {} AND created_at >= ? AND "
                  "purpose = 'marketing' AND id != ? AND state IN ('sending', 'sent', "
                  "'delivered', 'read', 'clicked')",
                  Placeholders(persons.size())),
      params, [&](const store::Row& row) {
        count = static_cast<int>(row.Int(0));
        return Status::Ok();
      }));
  return count;
}

Result<std::map<int64_t, int>> Outbox::MarketingCountsSince(store::Transaction& tx,
                                                            std::span<const int64_t> persons,
                                                            Timestamp since) {
  std::map<int64_t, int> counts;
  if (persons.empty()) return counts;
  std::vector<store::Value> params = PersonParams(persons);
  params.emplace_back(ToUnixMicros(since));
  RETURN_IF_ERROR(tx.Query(
      fmt::format("SELECT person_id, COUNT(*) FROM message WHERE person_id IN {} AND "
                  "created_at >= ? AND purpose = 'marketing' AND state IN ('sending', 'sent', "
                  "'delivered', 'read', 'clicked') GROUP BY person_id",
                  Placeholders(persons.size())),
      params, [&](const store::Row& row) {
        counts[row.Int(0)] = static_cast<int>(row.Int(1));
        return Status::Ok();
      }));
  return counts;
}

Result<bool> Outbox::AnySuppressionFor(store::Transaction& tx, std::string_view channel) {
  bool any = false;
  RETURN_IF_ERROR(tx.Query("SELECT 1 FROM message_suppression WHERE channel IN (?, 'all') LIMIT 1",
                           {channel}, [&](const store::Row&) {
                             any = true;
                             return Status::Ok();
                           }));
  return any;
}

Result<int> Outbox::MarketingAcceptedSince(store::Transaction& tx, std::span<const int64_t> persons,
                                           Timestamp since) {
  int count = 0;
  std::vector<store::Value> params = PersonParams(persons);
  params.emplace_back(ToUnixMicros(since));
  RETURN_IF_ERROR(tx.Query(
      fmt::format("SELECT COUNT(*) FROM message WHERE person_id IN {} AND created_at >= ? AND "
                  "purpose = 'marketing' AND state NOT IN ('refused', 'dead', 'failed')",
                  Placeholders(persons.size())),
      params, [&](const store::Row& row) {
        count = static_cast<int>(row.Int(0));
        return Status::Ok();
      }));
  return count;
}

Result<int> Outbox::ChannelHandedOverSince(store::Transaction& tx, std::span<const int64_t> persons,
                                           std::string_view channel, Timestamp since,
                                           int64_t except) {
  int count = 0;
  std::vector<store::Value> params = PersonParams(persons);
  params.emplace_back(except);
  params.emplace_back(channel);
  params.emplace_back(except);
  params.emplace_back(channel);
  params.emplace_back(ToUnixMicros(since));
  RETURN_IF_ERROR(tx.Query(
      fmt::format("SELECT COUNT(*) FROM message m WHERE m.person_id IN {} AND m.id != ? AND "
                  "((m.state = 'sending' AND m.channel = ? AND m.id < ?) OR EXISTS (SELECT 1 FROM "
                  "message_attempt a WHERE a.message_id = m.id AND a.channel = ? AND "
                  "a.outcome = 'ok' AND a.started_at >= ?))",
                  Placeholders(persons.size())),
      params, [&](const store::Row& row) {
        count = static_cast<int>(row.Int(0));
        return Status::Ok();
      }));
  return count;
}

Result<int> Outbox::ChannelAcceptedFor(store::Transaction& tx, std::span<const int64_t> persons,
                                       std::string_view channel, Timestamp from, Timestamp until) {
  int count = 0;
  std::vector<store::Value> params = PersonParams(persons);
  params.emplace_back(ToUnixMicros(from));
  params.emplace_back(ToUnixMicros(until));
  params.emplace_back(channel);
  RETURN_IF_ERROR(tx.Query(
      fmt::format("SELECT COUNT(*) FROM message WHERE person_id IN {} AND send_at >= ? AND "
                  "send_at < ? AND channel = ? AND state NOT IN ('refused', 'dead')",
                  Placeholders(persons.size())),
      params, [&](const store::Row& row) {
        count = static_cast<int>(row.Int(0));
        return Status::Ok();
      }));
  return count;
}

Result<std::vector<std::pair<std::string, int>>> Outbox::Engagement(
    store::Transaction& tx, std::span<const int64_t> persons, Timestamp since) {
  std::vector<std::pair<std::string, int>> out;
  std::vector<store::Value> params = PersonParams(persons);
  params.emplace_back(ToUnixMicros(since));
  RETURN_IF_ERROR(
      tx.Query(fmt::format("SELECT channel, COUNT(*) FROM message WHERE person_id IN {} AND "
                           "created_at >= ? AND state IN ('read', 'clicked') GROUP BY channel",
                           Placeholders(persons.size())),
               params, [&](const store::Row& row) {
                 out.emplace_back(row.Text(0), static_cast<int>(row.Int(1)));
                 return Status::Ok();
               }));
  return out;
}

Result<bool> Outbox::Suppressed(store::Transaction& tx, std::string_view channel,
                                std::string_view address_type, std::string_view lookup) {
  bool found = false;
  RETURN_IF_ERROR(tx.Query(
      "SELECT 1 FROM message_suppression WHERE channel IN (?, 'all') AND address_type = ? AND "
      "lookup = ?",
      {channel, address_type, store::Blob{std::string(lookup)}},
      [&](const store::Row&) {
        found = true;
        return Status::Ok();
      },
      1));
  return found;
}

Status Outbox::Suppress(store::Transaction& tx, std::string_view channel,
                        std::string_view address_type, std::string_view lookup,
                        std::string_view reason, std::optional<int64_t> by, Timestamp now) {
  return tx.Execute(
      "INSERT OR REPLACE INTO message_suppression (channel, address_type, lookup, reason, "
      "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)",
      {channel, address_type, store::Blob{std::string(lookup)}, reason, by, ToUnixMicros(now)});
}

}  // namespace banyan::messaging
