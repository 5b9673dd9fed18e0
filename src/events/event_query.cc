#include "events/event_query.h"

#include <algorithm>

#include "events/event_codec.h"

namespace banyan::events {
namespace {

constexpr uint64_t kChunkRecords = 4096;

bool Matches(const Event& e, const EventQuery& q) {
  if (q.name && e.name != *q.name) return false;
  if (q.message_id && e.message_id != *q.message_id) return false;
  if (q.from && e.event_time < *q.from) return false;
  if (q.to && e.event_time >= *q.to) return false;
  if (q.identifier &&
      std::find(e.identifiers.begin(), e.identifiers.end(), *q.identifier) == e.identifiers.end()) {
    return false;
  }
  return true;
}

}  // namespace

Result<EventPage> QueryEvents(const EventLog& log, const EventQuery& query) {
  const EventLogStats stats = log.Stats();
  uint64_t end = std::min(query.before_sequence.value_or(stats.next_sequence), stats.next_sequence);
  const uint64_t first = stats.first_sequence;
  const auto limit = static_cast<size_t>(std::clamp(query.limit, 1, kEventQueryLimitMax));
  EventPage page;
  uint64_t scanned = 0;
  while (end > first && page.items.size() < limit && scanned < kEventQueryScanMax) {
    const uint64_t start = end > first + kChunkRecords ? end - kChunkRecords : first;
    std::vector<StoredEvent> chunk;
    auto scan = log.Scan(
        start,
        [&](uint64_t sequence, Timestamp, std::string_view record) -> Status {
          if (sequence >= end) return Status::Ok();
          ASSIGN_OR_RETURN(Event event, DecodeEvent(record));
          if (Matches(event, query)) chunk.push_back({sequence, std::move(event)});
          return Status::Ok();
        },
        end - start);
    if (!scan.ok()) return scan.status();
    scanned += end - start;
    // Newest first; stop exactly at the limit so the cursor resumes at the right record.
    for (auto it = chunk.rbegin(); it != chunk.rend(); ++it) {
      if (page.items.size() == limit) {
        page.next_before_sequence = page.items.back().sequence;
        return page;
      }
      page.items.push_back(std::move(*it));
    }
    end = start;
  }
  if (end > first)
    page.next_before_sequence = page.items.size() == limit ? page.items.back().sequence : end;
  return page;
}

}  // namespace banyan::events
