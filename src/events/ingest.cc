#include "events/ingest.h"

#include <fmt/format.h>

#include <unordered_set>

#include "base/json.h"
#include "base/logging.h"
#include "events/event_codec.h"
#include "events/sensors_protocol.h"

namespace banyan::events {
namespace {

// Records the plan's findings in the event itself, so flagged events stay queryable.
void AddViolationsToContext(Event& event, const std::vector<Violation>& violations) {
  Json list = Json::array();
  for (const auto& v : violations) {
    list.push_back({{"path", v.path}, {"kind", ViolationKindName(v.kind)}, {"message", v.message}});
  }
  std::string prefix = "{\"banyan_plan_violations\":" + list.dump();
  event.context = event.context.size() <= 2 ? prefix + "}" : prefix + "," + event.context.substr(1);
}

}  // namespace

Ingestor::Ingestor(IngestOptions options, EventLog& log, const Clock& clock, Random& random)
    : options_(std::move(options)), log_(log), clock_(clock), dedup_(options_.dedup, random) {}

Result<std::unique_ptr<Ingestor>> Ingestor::Open(IngestOptions options, EventLog& log,
                                                 const Clock& clock, Random& random) {
  auto ingestor = std::unique_ptr<Ingestor>(new Ingestor(std::move(options), log, clock, random));
  RETURN_IF_ERROR(ingestor->Rebuild());
  return ingestor;
}

Status Ingestor::Rebuild() {
  const Timestamp now = clock_.Now();
  const Timestamp horizon = now - options_.dedup.window;
  int64_t remembered = 0;
  auto scanned =
      log_.Scan(0, [&](uint64_t sequence, Timestamp received_at, std::string_view record) {
        if (received_at < horizon) return Status::Ok();  // outside the window: no need to decode
        auto event = DecodeEvent(record);
        if (!event.ok()) return event.status().WithContext(fmt::format("event {}", sequence));
        dedup_.InsertForRebuild({event->write_key_id, event->message_id}, received_at);
        ++remembered;
        return Status::Ok();
      });
  if (!scanned.ok())
    return scanned.status().WithContext("rebuilding message-id dedup from the log");
  dedup_.Expire(now);
  log::Info("events.dedup_rebuilt", {{"message_ids", remembered}});
  return Status::Ok();
}

Result<DecodedEvents> Ingestor::DecodeSegment(std::string_view body, SegmentCall call) {
  thread_local SegmentDecoder decoder;  // decoders reuse parse buffers: one per thread
  counters_.requests.fetch_add(1, std::memory_order_relaxed);
  WireContext context;
  context.received_at = clock_.Now();
  auto decoded = decoder.Decode(body, call, context);
  if (!decoded.ok()) {
    counters_.requests_invalid.fetch_add(1, std::memory_order_relaxed);
    return decoded.status();
  }
  counters_.c3_removed.fetch_add(decoded->c3_removed.total(), std::memory_order_relaxed);
  return decoded;
}

Result<DecodedEvents> Ingestor::DecodeSensors(std::string_view body, std::string_view query) {
  thread_local SensorsDecoder decoder;
  counters_.requests.fetch_add(1, std::memory_order_relaxed);
  WireContext context;
  context.received_at = clock_.Now();
  auto decoded = decoder.Decode(body, query, context);
  if (!decoded.ok()) {
    counters_.requests_invalid.fetch_add(1, std::memory_order_relaxed);
    return decoded.status();
  }
  counters_.c3_removed.fetch_add(decoded->c3_removed.total(), std::memory_order_relaxed);
  return decoded;
}

void Ingestor::ApplyPlan(std::vector<Event>& events, IngestReport& report) {
  if (options_.plan.size() == 0) return;
  std::vector<Event> kept;
  kept.reserve(events.size());
  for (Event& event : events) {
    PlanVerdict verdict = options_.plan.Validate(event);
    plan_counters_.Record(verdict);
    if (!verdict.violations.empty()) RememberViolations(verdict.violations);
    if (verdict.action == PlanAction::kReject) {
      ++report.rejected;
      continue;
    }
    if (verdict.action == PlanAction::kStoreFlagged) {
      AddViolationsToContext(event, verdict.violations);
      ++report.flagged;
    }
    kept.push_back(std::move(event));
  }
  events = std::move(kept);
}

Status Ingestor::Store(std::vector<Event> events, const std::string& source, Done done) {
  IngestReport report;
  report.received = static_cast<int64_t>(events.size());
  ApplyPlan(events, report);
  counters_.events_rejected_by_plan.fetch_add(report.rejected, std::memory_order_relaxed);

  // The same id twice in one request is one event.
  std::unordered_set<std::string_view> seen;
  std::vector<Event> unique;
  unique.reserve(events.size());
  for (Event& e : events) {
    e.write_key_id = source;
    if (seen.insert(e.message_id).second)
      unique.push_back(std::move(e));
    else
      ++report.duplicates;
  }
  std::vector<MessageIdKey> keys;
  keys.reserve(unique.size());
  for (const Event& e : unique) keys.push_back({source, e.message_id});
  const Timestamp now = clock_.Now();
  auto reservation = std::make_shared<MessageIdReservation>(dedup_.Reserve(keys, now));

  std::vector<std::string> records;
  records.reserve(unique.size());
  // The sink needs the stored events themselves; keep them only when there is one.
  auto stored = options_.sink ? std::make_shared<std::vector<Event>>() : nullptr;
  const auto& outcomes = reservation->outcomes();
  for (size_t i = 0; i < unique.size(); ++i) {
    if (outcomes[i] == DedupOutcome::kInFlight) {
      counters_.requests_throttled.fetch_add(1, std::memory_order_relaxed);
      return ResourceExhaustedError(fmt::format(
          "event {} is being stored by a concurrent request; retry shortly", unique[i].message_id));
    }
    if (outcomes[i] == DedupOutcome::kDuplicate) {
      ++report.duplicates;
      continue;
    }
    records.push_back(EncodeEvent(unique[i]));
    if (stored) stored->push_back(std::move(unique[i]));
  }
  counters_.events_duplicate.fetch_add(report.duplicates, std::memory_order_relaxed);
  if (records.empty()) {
    reservation->Commit();
    done(report);
    return Status::Ok();
  }
  report.stored = static_cast<int64_t>(records.size());
  Status appended =
      log_.Append(std::move(records), now,
                  [this, reservation, report, done, stored](Result<SequenceRange> range) mutable {
                    if (!range.ok()) {
                      reservation->Release();
                      done(range.status());
                      return;
                    }
                    if (stored) options_.sink->OnDurable(*range, *stored);
                    reservation->Commit();
                    counters_.events_stored.fetch_add(report.stored, std::memory_order_relaxed);
                    report.range = *range;
                    done(report);
                  });
  if (!appended.ok() && appended.code() == StatusCode::kResourceExhausted) {
    counters_.requests_throttled.fetch_add(1, std::memory_order_relaxed);
  }
  return appended;  // on failure the reservation is released when its last copy goes
}

void Ingestor::RememberViolations(const std::vector<Violation>& violations) {
  std::lock_guard lock(violations_mutex_);
  for (const auto& v : violations) {
    recent_violations_.push_front(v);
    if (recent_violations_.size() > kRecentViolationsMax) recent_violations_.pop_back();
  }
}

std::vector<Violation> Ingestor::RecentViolations() const {
  std::lock_guard lock(violations_mutex_);
  return {recent_violations_.begin(), recent_violations_.end()};
}

Status Ingestor::Maintain() {
  const uint64_t expired = dedup_.Expire(clock_.Now());
  auto retention = log_.ApplyRetention();
  if (!retention.ok()) return retention.status();
  if (expired > 0 || retention->segments_deleted > 0) {
    log::Info("events.maintained", {{"message_ids_expired", expired},
                                    {"segments_deleted", retention->segments_deleted},
                                    {"bytes_deleted", retention->bytes_deleted}});
  }
  return Status::Ok();
}

}  // namespace banyan::events
