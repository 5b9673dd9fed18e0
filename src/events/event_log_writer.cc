// EventLog: appending and the group-commit writer thread. The rest of EventLog is in
// event_log.cc.
//
// The writer takes the whole queue as one group, seals each batch with its sequence number, writes
// the group with one writev and fdatasyncs, then publishes the new durable size to readers and
// calls the callbacks. While it waits on the disk, new appends queue up and form the next group,
// so the fsync rate adapts to the load by itself.

#include <fmt/format.h>

#include <future>

#include "base/check.h"
#include "base/logging.h"
#include "events/event_log.h"
#include "events/internal/log_format.h"

namespace banyan::events {

Status EventLog::Append(std::vector<std::string> records, Timestamp received_at,
                        AppendCallback done) {
  CHECK(done != nullptr, "Append needs a callback");
  if (records.empty()) return InvalidArgumentError("an append needs at least one record");
  const uint64_t batch_bytes = internal::EncodedBatchBytes(records);
  const uint64_t append_bytes_max = std::min(internal::kBatchBytesMax, options_.queue_bytes_max);
  if (batch_bytes > append_bytes_max) {
    return TooLargeError(fmt::format(
        "an append of {} records takes {} bytes in the event log; the limit is {} bytes",
        records.size(), batch_bytes, append_bytes_max));
  }
  PendingAppend append{.batch = internal::EncodeUnsealedBatch(records, received_at),
                       .record_count = static_cast<uint32_t>(records.size()),
                       .received_at = received_at,
                       .done = std::move(done)};
  {
    std::lock_guard lock(queue_mutex_);
    if (!failure_.ok()) return failure_;
    if (stopping_) return UnavailableError("the event log is closing");
    if (queued_appends_ + 1 > options_.queue_appends_max ||
        queued_bytes_ + batch_bytes > options_.queue_bytes_max) {
      return ResourceExhaustedError(fmt::format(
          "the event log's queue is full ({} appends, {} bytes waiting for the disk); retry later",
          queued_appends_, queued_bytes_));
    }
    ++queued_appends_;
    queued_bytes_ += batch_bytes;
    queue_.push_back(std::move(append));
  }
  queue_changed_.notify_one();
  return Status::Ok();
}

Result<SequenceRange> EventLog::AppendAndWait(std::vector<std::string> records,
                                              Timestamp received_at) {
  std::promise<Result<SequenceRange>> outcome;
  std::future<Result<SequenceRange>> ready = outcome.get_future();
  RETURN_IF_ERROR(Append(std::move(records), received_at,
                         [&outcome](Result<SequenceRange> r) { outcome.set_value(std::move(r)); }));
  return ready.get();
}

void EventLog::WriterLoop() {
  for (;;) {
    std::deque<PendingAppend> group;
    {
      std::unique_lock lock(queue_mutex_);
      queue_changed_.wait(
          lock, [this] { return !queue_.empty() || !roll_requests_.empty() || stopping_; });
      // Stopping, and everything accepted has been answered.
      if (queue_.empty() && roll_requests_.empty()) return;
      group.swap(queue_);
    }
    if (!group.empty()) CommitGroup(group);
    RollIfRequested();
  }
}

Status EventLog::SealActiveSegment() {
  std::promise<Status> outcome;
  std::future<Status> ready = outcome.get_future();
  {
    std::lock_guard lock(queue_mutex_);
    if (!failure_.ok()) return failure_;
    if (stopping_) return UnavailableError("the event log is closing");
    roll_requests_.push_back([&outcome](Status status) { outcome.set_value(std::move(status)); });
  }
  queue_changed_.notify_one();
  return ready.get();
}

// Between groups, so the appends queued before a SealActiveSegment call are in the segment it
// closes.
void EventLog::RollIfRequested() {
  std::vector<std::function<void(Status)>> requests;
  Status status;
  {
    std::lock_guard lock(queue_mutex_);
    requests.swap(roll_requests_);
    status = failure_;
  }
  if (requests.empty()) return;
  if (status.ok()) {
    bool has_records = false;
    {
      std::lock_guard lock(state_mutex_);
      has_records = segments_.back().record_count > 0;
    }
    if (has_records) {
      status = RollSegment();
      if (!status.ok()) FailLog(status);
    }
  }
  for (auto& request : requests) request(status);
}

void EventLog::CommitGroup(std::deque<PendingAppend>& group) {
  Status status;
  {
    std::lock_guard lock(queue_mutex_);
    status = failure_;
  }
  size_t durable_count = 0;
  if (status.ok()) {
    status = WriteGroup(group, durable_count);
    if (!status.ok()) FailLog(status);
  }
  uint64_t group_bytes = 0;
  for (const PendingAppend& append : group) group_bytes += append.batch.size();
  Status failure;
  {
    std::lock_guard lock(queue_mutex_);
    queued_bytes_ -= group_bytes;
    queued_appends_ -= group.size();
    failure = failure_;
  }
  for (size_t i = 0; i < group.size(); ++i) {
    if (i < durable_count) {
      group[i].done(group[i].range);
    } else {
      group[i].done(failure);
    }
  }
}

Status EventLog::WriteGroup(std::deque<PendingAppend>& group, size_t& durable_count) {
  std::vector<std::string_view> pieces;
  uint64_t pending_bytes = 0;
  size_t begin = 0;
  for (size_t i = 0; i < group.size(); ++i) {
    PendingAppend& append = group[i];
    const uint64_t segment_bytes = active_durable_bytes_ + pending_bytes;
    if (segment_bytes > 0 && segment_bytes + append.batch.size() > options_.segment_bytes_max) {
      RETURN_IF_ERROR(FlushGroupPart(pieces, group, begin, i));
      durable_count = i;
      begin = i;
      pending_bytes = 0;
      RETURN_IF_ERROR(RollSegment());
    }
    append.range = {writer_next_sequence_, append.record_count};
    internal::SealBatch(append.batch, writer_next_sequence_);
    writer_next_sequence_ += append.record_count;
    pieces.push_back(append.batch);
    pending_bytes += append.batch.size();
  }
  RETURN_IF_ERROR(FlushGroupPart(pieces, group, begin, group.size()));
  durable_count = group.size();
  return Status::Ok();
}

Status EventLog::FlushGroupPart(std::vector<std::string_view>& pieces,
                                const std::deque<PendingAppend>& group, size_t begin, size_t end) {
  if (begin == end) return Status::Ok();
  RETURN_IF_ERROR(active_file_->Append(pieces));
  RETURN_IF_ERROR(active_file_->Sync());
  pieces.clear();
  std::lock_guard lock(state_mutex_);
  internal::SegmentMeta& active = segments_.back();
  for (size_t i = begin; i < end; ++i) {
    const PendingAppend& append = group[i];
    CHECK(append.range.first == active.end_sequence, "batch sequence {} after {}",
          append.range.first, active.end_sequence);
    active.AddBatch({.batch_bytes = static_cast<uint32_t>(append.batch.size()),
                     .record_count = append.record_count,
                     .first_sequence = append.range.first,
                     .received_at = append.received_at});
  }
  active_durable_bytes_ = active.bytes;
  next_sequence_ = active.end_sequence;
  ++groups_committed_;
  appends_committed_ += end - begin;
  return Status::Ok();
}

Status EventLog::RollSegment() {
  const std::string path =
      fmt::format("{}/{}", options_.dir, internal::SegmentFileName(writer_next_sequence_));
  ASSIGN_OR_RETURN(std::unique_ptr<EventLogFile> file, file_system_.OpenForAppend(path));
  RETURN_IF_ERROR(file_system_.SyncDirectory(options_.dir));
  active_file_ = std::move(file);
  active_durable_bytes_ = 0;
  {
    std::lock_guard lock(state_mutex_);
    segments_.push_back({.base_sequence = writer_next_sequence_,
                         .path = path,
                         .end_sequence = writer_next_sequence_});
  }
  log::Debug("events.log.segment_started", {{"file", path}});
  return Status::Ok();
}

void EventLog::FailLog(const Status& cause) {
  // Take back whatever part of the group reached the file, so no unacknowledged batch stays
  // there to be read as valid. If even that fails, recovery's torn-tail rule applies after restart
  // for a partial batch; a complete batch whose sync failed may survive, which is why the caller
  // was told Unavailable (retry) rather than lost, and why message-id dedup rebuilds from the log.
  Status taken_back = active_file_->Truncate(active_durable_bytes_);
  if (taken_back.ok()) taken_back = active_file_->Sync();
  log::Error("events.log.failed", {{"dir", options_.dir},
                                   {"error", cause.ToString()},
                                   {"take_back", taken_back.ok() ? "ok" : taken_back.ToString()}});
  std::lock_guard lock(queue_mutex_);
  failure_ = UnavailableError(
      fmt::format("the event log in {} failed ({}) and accepts no appends until it is reopened",
                  options_.dir, cause.message()));
}

}  // namespace banyan::events
