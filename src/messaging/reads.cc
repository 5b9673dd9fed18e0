// MessagingService: the console's reads over the outbox — the message list and the counts by
// state, channel, rule and day. Both are scoped by the recipient's branch and relationship
// manager stored at acceptance, and both turn a time range into an id range (ids grow with
// created_at) so they read the primary key's range, or the (branch_id, id) index, never the
// whole table.

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>

#include "messaging/service.h"

namespace banyan::messaging {
namespace {

constexpr MessageState kAllStates[] = {MessageState::kQueued,    MessageState::kDeferred,
                                       MessageState::kSending,   MessageState::kSent,
                                       MessageState::kDelivered, MessageState::kFailed,
                                       MessageState::kRead,      MessageState::kClicked,
                                       MessageState::kRefused,   MessageState::kDead};

// The SQL condition (with its parameters) for messages the principal may see.
std::pair<std::string, std::vector<store::Value>> ScopeCondition(const auth::Principal& p) {
  switch (p.scope) {
    case auth::ScopeKind::kAll:
      return {"1", {}};
    case auth::ScopeKind::kOwnCustomers:
      return {"rm_id = ?", {p.id}};
    case auth::ScopeKind::kSubtree:
      return {"branch_id IN (SELECT id FROM branch WHERE substr(path, 1, ?) = ?)",
              {static_cast<int64_t>(p.branch_path.size()), p.branch_path}};
  }
  return {"0", {}};
}

Json ZeroStates() {
  Json out = Json::object();
  for (MessageState state : kAllStates) out[std::string(StateName(state))] = 0;
  return out;
}

}  // namespace

std::optional<StatsGroup> ParseStatsGroup(std::string_view name) {
  if (name == "channel") return StatsGroup::kChannel;
  if (name == "reason") return StatsGroup::kReason;
  if (name == "day") return StatsGroup::kDay;
  return std::nullopt;
}

Result<int64_t> MessagingService::IdAtOrAfter(store::Transaction& tx, Timestamp t) {
  int64_t high = 0;
  RETURN_IF_ERROR(tx.Query("SELECT MAX(id) FROM message", {}, [&](const store::Row& row) {
    high = row.OptionalInt(0).value_or(0) + 1;
    return Status::Ok();
  }));
  int64_t low = 1;
  const int64_t at = ToUnixMicros(t);
  while (low < high) {
    const int64_t mid = low + (high - low) / 2;
    std::optional<std::pair<int64_t, int64_t>> found;  // (id, created_at)
    RETURN_IF_ERROR(tx.Query("SELECT id, created_at FROM message WHERE id >= ? ORDER BY id LIMIT 1",
                             {mid}, [&](const store::Row& row) {
                               found.emplace(row.Int(0), row.Int(1));
                               return Status::Ok();
                             }));
    if (!found || found->second >= at) {
      high = mid;
    } else {
      low = found->first + 1;
    }
  }
  return low;
}

Result<Json> MessagingService::ListMessages(const auth::Principal& principal,
                                            const MessageListQuery& query,
                                            std::string_view cursor) {
  MessageListQuery q = query;
  if (!cursor.empty()) {
    int64_t id = 0;
    const auto [end, error] = std::from_chars(cursor.data(), cursor.data() + cursor.size(), id);
    if (error != std::errc() || end != cursor.data() + cursor.size() || id < 1) {
      return InvalidArgumentError("cursor is malformed", "?cursor");
    }
    q.before_id = id;
  }
  q.limit = std::clamp(q.limit, 1, kMessageListPageMax);
  std::vector<Message> page;
  std::map<int64_t, std::vector<StatusChange>> histories;
  std::map<int64_t, std::vector<std::pair<std::string, int64_t>>> links;
  RETURN_IF_ERROR(deps_.db.Read([&](store::Transaction& tx) -> Status {
    auto [where, params] = ScopeCondition(principal);
    auto add = [&](std::string condition, store::Value value) {
      where += " AND " + condition;
      params.push_back(std::move(value));
    };
    if (q.from) {
      ASSIGN_OR_RETURN(const int64_t low, IdAtOrAfter(tx, *q.from - kCreatedAtSkewMax));
      add("id >= ?", low);
      add("created_at >= ?", ToUnixMicros(*q.from));
    }
    std::optional<int64_t> high = q.before_id;
    if (q.to) {
      ASSIGN_OR_RETURN(const int64_t end, IdAtOrAfter(tx, *q.to + kCreatedAtSkewMax));
      high = high ? std::min(*high, end) : end;
      add("created_at < ?", ToUnixMicros(*q.to));
    }
    if (high) add("id < ?", *high);
    if (q.state) add("state = ?", StateName(*q.state));
    if (!q.channel.empty()) add("channel = ?", q.channel);
    if (q.purpose) add("purpose = ?", PurposeName(*q.purpose));
    if (q.template_id) add("template_id = ?", *q.template_id);
    params.push_back(static_cast<int64_t>(q.limit + 1));
    ASSIGN_OR_RETURN(page, outbox_.Select(tx, where + " ORDER BY id DESC LIMIT ?", params));
    if (page.size() > static_cast<size_t>(q.limit)) page.resize(q.limit + 1);
    for (size_t i = 0; i < page.size() && i < static_cast<size_t>(q.limit); ++i) {
      const int64_t id = page[i].id;
      ASSIGN_OR_RETURN(histories[id], outbox_.History(tx, id));
      RETURN_IF_ERROR(
          tx.Query("SELECT code, clicks FROM message_link WHERE message_id = ? ORDER BY code", {id},
                   [&](const store::Row& row) {
                     links[id].emplace_back(row.Text(0), row.Int(1));
                     return Status::Ok();
                   }));
    }
    return Status::Ok();
  }));
  std::string next;
  if (page.size() > static_cast<size_t>(q.limit)) {
    page.resize(q.limit);
    next = std::to_string(page.back().id);
  }
  Json items = Json::array();
  for (const Message& m : page) {
    items.push_back(MessageBody(m, Json{{"one_id", m.person_id}}, histories[m.id], links[m.id]));
  }
  return Json{{"items", std::move(items)}, {"next_cursor", next.empty() ? Json() : Json(next)}};
}

Result<Json> MessagingService::Stats(const auth::Principal& principal, const StatsQuery& query) {
  if (query.to <= query.from) return InvalidArgumentError("must be after from", "?to");
  if (query.to - query.from > kStatsRangeMax) {
    return InvalidArgumentError(
        fmt::format("the range is at most {} days",
                    std::chrono::duration_cast<std::chrono::hours>(kStatsRangeMax).count() / 24),
        "?from");
  }
  Json out = {{"from", FormatRfc3339(query.from)}, {"to", FormatRfc3339(query.to)}};
  RETURN_IF_ERROR(deps_.db.Read([&](store::Transaction& tx) -> Status {
    auto [where, params] = ScopeCondition(principal);
    ASSIGN_OR_RETURN(const int64_t low, IdAtOrAfter(tx, query.from - kCreatedAtSkewMax));
    ASSIGN_OR_RETURN(const int64_t high, IdAtOrAfter(tx, query.to + kCreatedAtSkewMax));
    where += " AND id >= ? AND id < ? AND created_at >= ? AND created_at < ?";
    params.insert(params.end(), {low, high, ToUnixMicros(query.from), ToUnixMicros(query.to)});
    Json totals = ZeroStates();
    int64_t total = 0;
    switch (query.group_by) {
      case StatsGroup::kChannel: {
        out["group_by"] = "channel";
        std::map<std::string, Json> groups;
        RETURN_IF_ERROR(tx.Query(
            fmt::format("SELECT COALESCE(channel, channel_requested), state, COUNT(*) FROM message "
                        "WHERE {} GROUP BY 1, 2",
                        where),
            params, [&](const store::Row& row) {
              Json& group = groups[row.Text(0)];
              if (group.is_null()) group = {{"total", 0}, {"states", ZeroStates()}};
              group["states"][row.Text(1)] = row.Int(2);
              group["total"] = group["total"].get<int64_t>() + row.Int(2);
              totals[row.Text(1)] = totals[row.Text(1)].get<int64_t>() + row.Int(2);
              total += row.Int(2);
              return Status::Ok();
            }));
        Json items = Json::array();
        for (auto& [channel, group] : groups) {
          group["channel"] = channel;
          items.push_back(std::move(group));
        }
        out["groups"] = std::move(items);
        break;
      }
      case StatsGroup::kReason: {
        // The gate's outcomes: reasons are "<rule>: <why>" (consent, personalised_marketing,
        // suppression, quiet_hours, frequency_cap, channel_cap, rate_limit, purpose, ...).
        out["group_by"] = "reason";
        Json items = Json::array();
        RETURN_IF_ERROR(tx.Query(
            fmt::format("SELECT state, CASE WHEN instr(reason, ':') > 0 THEN substr(reason, 1, "
                        "instr(reason, ':') - 1) ELSE reason END AS rule, COUNT(*) FROM message "
                        "WHERE {} AND state IN ('refused', 'deferred') GROUP BY 1, 2 "
                        "ORDER BY 3 DESC, 2, 1",
                        where),
            params, [&](const store::Row& row) {
              items.push_back(
                  {{"state", row.Text(0)}, {"reason", row.Text(1)}, {"count", row.Int(2)}});
              totals[row.Text(0)] = totals[row.Text(0)].get<int64_t>() + row.Int(2);
              total += row.Int(2);
              return Status::Ok();
            }));
        out["groups"] = std::move(items);
        break;
      }
      case StatsGroup::kDay: {
        // Quarter hours in SQL (every zone's offset is a multiple of 15 minutes), then the bank's
        // calendar day of each quarter hour.
        out["group_by"] = "day";
        std::map<std::string, Json> days;
        RETURN_IF_ERROR(tx.Query(
            fmt::format("SELECT created_at / 900000000, state, COUNT(*) FROM message WHERE {} "
                        "GROUP BY 1, 2",
                        where),
            params, [&](const store::Row& row) {
              const Timestamp at = FromUnixMicros(row.Int(0) * 900'000'000);
              Json& day = days[FormatDate(deps_.calendar.DayOf(at))];
              if (day.is_null()) day = {{"total", 0}, {"states", ZeroStates()}};
              day["states"][row.Text(1)] = day["states"][row.Text(1)].get<int64_t>() + row.Int(2);
              day["total"] = day["total"].get<int64_t>() + row.Int(2);
              totals[row.Text(1)] = totals[row.Text(1)].get<int64_t>() + row.Int(2);
              total += row.Int(2);
              return Status::Ok();
            }));
        Json items = Json::array();
        for (auto& [date, day] : days) {
          day["day"] = date;
          items.push_back(std::move(day));
        }
        out["groups"] = std::move(items);
        break;
      }
    }
    out["total"] = total;
    out["states"] = std::move(totals);
    return Status::Ok();
  }));
  out["time_zone"] = deps_.calendar.zone_name();
  return out;
}

}  // namespace banyan::messaging
