// SegmentService's live membership: one round re-checks the customers the engine changed since
// the previous round, for the live segments whose expression a change can affect, in order of
// their `in segment` depth; time-dependent segments are re-evaluated in full once per expiry
// interval. Entries and exits are stored in segment_transition in one transaction per round.

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "base/logging.h"
#include "segment/internal/resolver.h"
#include "segment/segment_service.h"

namespace banyan::segment {
namespace {

constexpr size_t kTransitionRowsPerInsert = 200;

bool Intersects(const std::set<std::string, std::less<>>& names,
                const std::set<std::string, std::less<>>& changed) {
  for (const std::string& name : names) {
    if (changed.contains(name)) return true;
  }
  return false;
}

}  // namespace

Status SegmentService::Refresh(bool expire) {
  std::lock_guard round_lock(refresh_mutex_);
  const auto started = std::chrono::steady_clock::now();
  const auto snapshot = deps_.customers.engine().snapshot();
  const Timestamp now = deps_.clock.Now();
  const bool expiry_due = expire || now - last_expiry_ >= options_.expiry_interval;

  std::vector<std::shared_ptr<Live>> lives;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, live] : live_) lives.push_back(live);
  }
  std::stable_sort(lives.begin(), lives.end(),
                   [](const auto& a, const auto& b) { return a->depth < b->depth; });

  // What changed since the last round, by name.
  std::optional<engine::ChangeSet> changes;
  if (last_version_ != 0 || snapshot->version() == 0) {
    changes = deps_.customers.engine().ChangesSince(last_version_);
  }
  std::set<std::string, std::less<>> attributes, event_types;
  if (changes) {
    const auto& catalog = snapshot->catalog();
    for (uint32_t a : changes->attributes) {
      if (a < catalog.attributes.size()) attributes.insert(catalog.attributes[a].name);
    }
    for (uint32_t t : changes->event_types) event_types.insert(catalog.event_types->Name(t));
  }
  const bool anything_changed = !changes || !changes->customers.IsEmpty();
  if (!anything_changed && !expiry_due) {
    bool all_evaluated = true;
    for (const auto& live : lives) {
      std::lock_guard lock(live->mutex);
      all_evaluated &= live->evaluated;
    }
    if (all_evaluated) {
      for (const auto& live : lives) {
        std::lock_guard lock(live->mutex);
        live->engine_version = snapshot->version();
        live->consistent_at = now;
      }
      last_version_ = snapshot->version();
      return Status::Ok();
    }
  }

  Resolver resolver(*this, now);
  const EvalContext context = ContextFor(*snapshot, now, resolver);
  struct Pending {
    int64_t segment_id;
    int64_t person;
    bool entered;
  };
  std::vector<Pending> transitions;
  Status failure = Status::Ok();
  for (const auto& live : lives) {
    engine::Bitmap old_members;
    bool evaluated;
    Timestamp last_full;
    {
      std::lock_guard lock(live->mutex);
      old_members = live->members;
      evaluated = live->evaluated;
      last_full = live->last_full;
    }
    const bool full =
        !evaluated || !changes ||
        (live->deps.time_dependent && (expiry_due || now - last_full >= options_.expiry_interval));
    engine::Bitmap members;
    if (full) {
      Result<engine::Bitmap> evaluated_members = segment::Evaluate(live->expr, *snapshot, context);
      if (!evaluated_members.ok()) {
        ++counters_.failures;
        failure = evaluated_members.status();
        log::Error("segment.evaluation_failed",
                   {{"segment", live->name}, {"error", failure.ToString()}});
        continue;
      }
      members = std::move(evaluated_members).value();
      ++counters_.full_evaluations;
    } else {
      const bool affected =
          !changes->customers.IsEmpty() &&
          (changes->merges_or_erasures || !live->deps.tags.empty() ||
           !live->deps.segments.empty() || Intersects(live->deps.attributes, attributes) ||
           Intersects(live->deps.events, event_types));
      if (!affected) {
        ++counters_.skipped;
        std::lock_guard lock(live->mutex);
        live->engine_version = snapshot->version();
        live->consistent_at = now;
        resolver.Remember(live->name, live->members);
        continue;
      }
      Result<engine::Bitmap> changed =
          EvaluateAmong(live->expr, *snapshot, context, changes->customers);
      if (!changed.ok()) {
        ++counters_.failures;
        failure = changed.status();
        log::Error("segment.evaluation_failed",
                   {{"segment", live->name}, {"error", failure.ToString()}});
        continue;
      }
      members = (old_members - changes->customers) | *changed;
      members &= snapshot->live();
      ++counters_.rechecks;
    }
    int64_t entered = 0, exited = 0;
    if (evaluated) {
      const engine::Bitmap in = members - old_members;
      const engine::Bitmap out = old_members - members;
      in.ForEach([&](uint32_t i) {
        if (auto person = snapshot->Person(i)) transitions.push_back({live->id, *person, true});
        ++entered;
        return true;
      });
      out.ForEach([&](uint32_t i) {
        // An absorbed or erased customer is no longer in the new snapshot: name it as it was.
        std::optional<engine::PersonId> person = snapshot->Person(i);
        if (!person && previous_snapshot_) person = previous_snapshot_->Person(i);
        if (person) transitions.push_back({live->id, *person, false});
        ++exited;
        return true;
      });
    }
    resolver.Remember(live->name, members);
    std::lock_guard lock(live->mutex);
    live->members = std::move(members);
    live->evaluated = true;
    live->engine_version = snapshot->version();
    live->consistent_at = now;
    if (full) live->last_full = now;
    live->entered += entered;
    live->exited += exited;
  }

  if (!transitions.empty()) {
    const int64_t at = ToUnixMicros(now);
    // Rows go in statements of up to kTransitionRowsPerInsert, so a round with hundreds of
    // thousands of transitions pays one statement per chunk, not per row.
    RETURN_IF_ERROR(deps_.db.Write([&](store::Transaction& tx) -> Status {
      std::vector<store::Value> params;
      for (size_t begin = 0; begin < transitions.size(); begin += kTransitionRowsPerInsert) {
        const size_t end = std::min(transitions.size(), begin + kTransitionRowsPerInsert);
        std::string sql =
            "INSERT INTO segment_transition (segment_id, person_id, entered, at) VALUES ";
        params.clear();
        for (size_t i = begin; i < end; ++i) {
          sql += i == begin ? "(?, ?, ?, ?)" : ", (?, ?, ?, ?)";
          const Pending& t = transitions[i];
          params.insert(params.end(), {t.segment_id, t.person, t.entered, at});
        }
        RETURN_IF_ERROR(tx.Execute(sql, params));
      }
      return Status::Ok();
    }));
    counters_.transitions += static_cast<int64_t>(transitions.size());
  }
  if (expiry_due) {
    last_expiry_ = now;
    const int64_t cutoff = ToUnixMicros(now - options_.transitions_retention);
    (void)deps_.db.Write([&](store::Transaction& tx) -> Status {
      return tx.Execute("DELETE FROM segment_transition WHERE at < ?", {cutoff});
    });
  }
  last_version_ = snapshot->version();
  previous_snapshot_ = snapshot;
  ++counters_.rounds;
  counters_.last_round_micros = std::chrono::duration_cast<std::chrono::microseconds>(
                                    std::chrono::steady_clock::now() - started)
                                    .count();
  return failure;
}

void SegmentService::RunMonitor() {
  std::unique_lock lock(stop_mutex_);
  while (!stopping_) {
    stop_cv_.wait_for(lock, options_.poll_interval, [&] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    if (Status s = Refresh(); !s.ok()) {
      log::Error("segment.round_failed", {{"error", s.ToString()}});
    }
    lock.lock();
  }
}

}  // namespace banyan::segment
