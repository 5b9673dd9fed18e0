// Event queries over the durable log, newest first — what `GET /api/v1/events` serves until the
// analytic engine (issue 5) indexes events.
//
// The log is scanned backwards in chunks from the cursor, decoding each record and keeping those
// that match. Every query scans at most kEventQueryScanMax records; when it stops there the page
// may be short but still carries a cursor to continue, so a rare filter over a long log is paged
// through rather than timing out.
// Thread safety: stateless; safe from any thread while the log is open.

#ifndef BANYAN_EVENTS_EVENT_QUERY_H_
#define BANYAN_EVENTS_EVENT_QUERY_H_

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "events/event.h"
#include "events/event_log.h"

namespace banyan::events {

inline constexpr uint64_t kEventQueryScanMax = 200'000;
inline constexpr int kEventQueryLimitMax = 200;

struct EventQuery {
  std::optional<std::string> name{};
  std::optional<std::string> message_id{};
  std::optional<Identifier> identifier{};
  std::optional<Timestamp> from{};            // event_time, inclusive
  std::optional<Timestamp> to{};              // event_time, exclusive
  std::optional<uint64_t> before_sequence{};  // the cursor: only older records
  int limit = 50;
};

struct StoredEvent {
  uint64_t sequence = 0;
  Event event;
};

struct EventPage {
  std::vector<StoredEvent> items;
  std::optional<uint64_t> next_before_sequence;  // none when the log's start was reached
};

Result<EventPage> QueryEvents(const EventLog& log, const EventQuery& query);

}  // namespace banyan::events

#endif  // BANYAN_EVENTS_EVENT_QUERY_H_
