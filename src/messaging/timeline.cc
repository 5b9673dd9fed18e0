// MessagingService::Timeline: a customer's messages out, messages in (replies, receipts, clicks)
// and events, merged newest first.
//
// The three sources page independently; the cursor carries each one's position
// ("<event sequence>.<message created_at>.<message id>.<inbound at>.<inbound id>", "-" where a
// source is exhausted), so a page is the newest `limit` items across the three after it.

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "messaging/service.h"

namespace banyan::messaging {
namespace {

struct Cursor {
  std::optional<uint64_t> event_before;  // sequence
  bool events_done = false;
  std::pair<int64_t, int64_t> message_before{INT64_MAX, INT64_MAX};  // (created_at, id)
  bool messages_done = false;
  std::pair<int64_t, int64_t> inbound_before{INT64_MAX, INT64_MAX};  // (at, id)
  bool inbound_done = false;
};

std::optional<int64_t> Number(std::string_view text) {
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

Result<Cursor> ParseCursor(std::string_view text) {
  Cursor cursor;
  if (text.empty()) return cursor;
  std::vector<std::string_view> parts;
  for (size_t at = 0; at <= text.size();) {
    const size_t dot = std::min(text.find('.', at), text.size());
    parts.push_back(text.substr(at, dot - at));
    at = dot + 1;
  }
  const Status bad = InvalidArgumentError("not a cursor from a previous page", "?cursor");
  if (parts.size() != 5) return bad;
  auto field = [&](size_t i, bool* done) -> std::optional<int64_t> {
    if (parts[i] == "-") {
      *done = true;
      return 0;
    }
    return Number(parts[i]);
  };
  bool unused = false;
  auto seq = field(0, &cursor.events_done);
  auto created = field(1, &cursor.messages_done);
  auto id = field(2, &unused);
  auto at = field(3, &cursor.inbound_done);
  auto inbound_id = field(4, &unused);
  if (!seq || !created || !id || !at || !inbound_id) return bad;
  if (!cursor.events_done && *seq > 0) cursor.event_before = static_cast<uint64_t>(*seq);
  cursor.message_before = {*created, *id};
  cursor.inbound_before = {*at, *inbound_id};
  return cursor;
}

struct Item {
  int64_t at_us;
  int source;  // 0 event, 1 message, 2 inbound
  int64_t key_a, key_b;
  Json json;
};

}  // namespace

Result<Json> MessagingService::Timeline(const auth::Principal& principal, int64_t one_id,
                                        const TimelineQuery& query) {
  if (query.limit < 1 || query.limit > kTimelinePageMax) {
    return InvalidArgumentError(fmt::format("expected 1..{}", kTimelinePageMax), "?limit");
  }
  for (const auto& kind : query.kinds) {
    if (kind != "event" && kind != "message" && kind != "inbound") {
      return InvalidArgumentError("expected event, message or inbound", "?kind");
    }
  }
  auto wants = [&](std::string_view kind) {
    return query.kinds.empty() ||
           std::find(query.kinds.begin(), query.kinds.end(), kind) != query.kinds.end();
  };
  ASSIGN_OR_RETURN(Cursor cursor, ParseCursor(query.cursor));
  // Scope first: NotFound for a customer the caller may not see.
  ASSIGN_OR_RETURN(const customer::Contacts contacts,
                   deps_.customers.ContactsForSending(principal, one_id, {}));
  const int limit = query.limit;
  std::vector<Item> items;
  if (wants("event") && !cursor.events_done && query.channel.empty()) {
    ASSIGN_OR_RETURN(Json events,
                     deps_.customers.Timeline(principal, one_id, cursor.event_before, limit));
    for (Json& event : events["items"]) {
      auto at = ParseRfc3339(event.value("received_at", ""));
      const int64_t seq = event.value("sequence", int64_t{0});
      items.push_back({at.ok() ? ToUnixMicros(*at) : 0, 0, seq, 0,
                       Json{{"kind", "event"}, {"at", event["received_at"]}, {"event", event}}});
    }
  }
  std::string persons = Placeholders(contacts.members.size());
  RETURN_IF_ERROR(deps_.db.Read([&](store::Transaction& tx) -> Status {
    if (wants("message") && !cursor.messages_done) {
      std::vector<store::Value> params;
      for (int64_t p : contacts.members) params.emplace_back(p);
      params.emplace_back(cursor.message_before.first);
      params.emplace_back(cursor.message_before.first);
      params.emplace_back(cursor.message_before.second);
      std::string sql = fmt::format(
          "SELECT id, created_at, channel, channel_requested, purpose, state, reason, "
          "template_id, template_version FROM message WHERE person_id IN {} AND "
          "(created_at < ? OR (created_at = ? AND id < ?))",
          persons);
      if (!query.channel.empty()) {
        sql += " AND channel = ?";
        params.emplace_back(query.channel);
      }
      sql += " ORDER BY created_at DESC, id DESC LIMIT ?";
      params.emplace_back(limit);
      RETURN_IF_ERROR(tx.Query(sql, params, [&](const store::Row& row) {
        const int64_t at = row.Int(1);
        items.push_back({at, 1, at, row.Int(0),
                         Json{{"kind", "message"},
                              {"direction", "out"},
                              {"at", FormatRfc3339(FromUnixMicros(at))},
                              {"message_id", row.Int(0)},
                              {"channel", row.IsNull(2) ? Json() : Json(row.Text(2))},
                              {"purpose", row.Text(4)},
                              {"state", row.Text(5)},
                              {"reason", row.Text(6)},
                              {"template_id", row.IsNull(7) ? Json() : Json(row.Int(7))},
                              {"template_version", row.IsNull(8) ? Json() : Json(row.Int(8))}}});
        return Status::Ok();
      }));
    }
    if (wants("inbound") && !cursor.inbound_done) {
      std::vector<store::Value> params;
      for (int64_t p : contacts.members) params.emplace_back(p);
      params.emplace_back(cursor.inbound_before.first);
      params.emplace_back(cursor.inbound_before.first);
      params.emplace_back(cursor.inbound_before.second);
      std::string sql = fmt::format(
          "SELECT id, at, channel, kind, message_id, body FROM message_inbound WHERE person_id "
          "IN {} AND (at < ? OR (at = ? AND id < ?))",
          persons);
      if (!query.channel.empty()) {
        sql += " AND channel = ?";
        params.emplace_back(query.channel);
      }
      sql += " ORDER BY at DESC, id DESC LIMIT ?";
      params.emplace_back(limit);
      RETURN_IF_ERROR(tx.Query(sql, params, [&](const store::Row& row) {
        const int64_t at = row.Int(1);
        items.push_back({at, 2, at, row.Int(0),
                         Json{{"kind", "inbound"},
                              {"direction", "in"},
                              {"at", FormatRfc3339(FromUnixMicros(at))},
                              {"type", row.Text(3)},
                              {"channel", row.Text(2)},
                              {"message_id", row.IsNull(4) ? Json() : Json(row.Int(4))},
                              {"body", ParseJson(row.Text(5)).value_or(Json::object())}}});
        return Status::Ok();
      }));
    }
    return Status::Ok();
  }));
  // Each source returned at most `limit` items newest first; the page is the newest `limit`.
  std::stable_sort(items.begin(), items.end(),
                   [](const Item& a, const Item& b) { return a.at_us > b.at_us; });
  std::array<size_t, 3> fetched{};
  for (const Item& item : items) ++fetched[item.source];
  const bool more = items.size() > static_cast<size_t>(limit) ||
                    std::any_of(fetched.begin(), fetched.end(),
                                [&](size_t n) { return n == static_cast<size_t>(limit); });
  if (items.size() > static_cast<size_t>(limit)) items.resize(limit);
  // The next cursor: for each source, the last item of it on this page; a source none of whose
  // items made the page keeps its position; a source that returned fewer than `limit` items and
  // has all of them on the page is done.
  Cursor next = cursor;
  std::array<size_t, 3> taken{};
  for (const Item& item : items) {
    ++taken[item.source];
    if (item.source == 0) next.event_before = static_cast<uint64_t>(item.key_a);
    if (item.source == 1) next.message_before = {item.key_a, item.key_b};
    if (item.source == 2) next.inbound_before = {item.key_a, item.key_b};
  }
  const bool events_fetched = wants("event") && query.channel.empty();
  next.events_done = next.events_done || !events_fetched ||
                     (fetched[0] < static_cast<size_t>(limit) && taken[0] == fetched[0]);
  next.messages_done = next.messages_done || !wants("message") ||
                       (fetched[1] < static_cast<size_t>(limit) && taken[1] == fetched[1]);
  next.inbound_done = next.inbound_done || !wants("inbound") ||
                      (fetched[2] < static_cast<size_t>(limit) && taken[2] == fetched[2]);
  Json page = Json::array();
  for (Item& item : items) page.push_back(std::move(item.json));
  Json cursor_json = nullptr;
  if (more && !(next.events_done && next.messages_done && next.inbound_done)) {
    cursor_json = fmt::format(
        "{}.{}.{}.{}.{}", next.events_done ? "-" : std::to_string(next.event_before.value_or(0)),
        next.messages_done ? "-" : std::to_string(next.message_before.first),
        next.message_before.second,
        next.inbound_done ? "-" : std::to_string(next.inbound_before.first),
        next.inbound_before.second);
  }
  return Json{
      {"one_id", contacts.one_id}, {"items", std::move(page)}, {"next_cursor", cursor_json}};
}

}  // namespace banyan::messaging
