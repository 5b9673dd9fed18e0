// EventLog: opening and recovery, reading, statistics and retention. The writer thread is in
// event_log_writer.cc.

#include "events/event_log.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "base/logging.h"
#include "events/internal/log_format.h"
#include "events/internal/log_reader.h"

namespace banyan::events {
namespace {

using internal::BatchRead;
using internal::SegmentMeta;

Status ValidateOptions(const EventLogOptions& options) {
  if (options.dir.empty()) return InvalidArgumentError("event log: dir is empty");
  if (options.segment_bytes_max == 0) {
    return InvalidArgumentError("event log: segment_bytes_max must be positive");
  }
  if (options.queue_bytes_max == 0 || options.queue_appends_max == 0) {
    return InvalidArgumentError(
        "event log: queue_bytes_max and queue_appends_max must be positive");
  }
  if (options.retention_age.count() < 0) {
    return InvalidArgumentError("event log: retention_age must not be negative");
  }
  return Status::Ok();
}

// Creates the directory and, when it is new, makes its entry in the parent durable.
Status CreateDirectory(const std::string& dir) {
  std::error_code error;
  const bool created = std::filesystem::create_directories(dir, error);
  if (error) return UnavailableError(fmt::format("create {}: {}", dir, error.message()));
  if (!created) return Status::Ok();
  std::string parent = std::filesystem::path(dir).lexically_normal().parent_path().string();
  return internal::SyncDirectory(parent.empty() ? "." : parent);
}

// A `<segment>.log.rewrite` file is a rewrite (RewriteSealed) that a crash stopped before its
// rename: the segment beside it is intact, so the partial copy goes.
Status RemoveUnfinishedRewrites(const std::string& dir) {
  std::error_code error;
  bool removed = false;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    const std::string name = entry.path().filename().string();
    if (!name.ends_with(".log.rewrite")) continue;
    if (!std::filesystem::remove(entry.path(), error) || error) {
      return UnavailableError(fmt::format("delete {}: {}", entry.path().string(), error.message()));
    }
    log::Warn("events.log.unfinished_rewrite_removed", {{"file", entry.path().string()}});
    removed = true;
  }
  if (error) return UnavailableError(fmt::format("list {}: {}", dir, error.message()));
  return removed ? internal::SyncDirectory(dir) : Status::Ok();
}

// A segment as a scan sees it: a snapshot taken under the state lock.
struct SegmentView {
  std::string path;
  uint64_t durable_bytes = 0;
  uint64_t end_sequence = 0;
  uint64_t base_sequence = 0;
  uint64_t generation = 0;
};

SegmentView ViewOf(const SegmentMeta& segment) {
  return {segment.path, segment.bytes, segment.end_sequence, segment.base_sequence,
          segment.generation};
}

// How many times a reader takes a new snapshot after finding a segment rewritten under it.
// Rewrites are rare (an erasure) and each takes far longer than a snapshot, so more than a
// couple in a row means something else is wrong.
constexpr int kSnapshotAttemptsMax = 4;

Status RewrittenTooOften(const std::string& path) {
  return UnavailableError(
      fmt::format("event log segment {} was rewritten {} times while being read; retry", path,
                  kSnapshotAttemptsMax));
}

struct ScanProgress {
  uint64_t from_sequence = 0;
  uint64_t records_max = 0;
  uint64_t visited = 0;
  bool stopped = false;     // records_max was reached ...
  uint64_t stopped_at = 0;  // ... before this sequence
};

Status ScanDamage(const std::string& path, uint64_t offset, std::string_view reason) {
  return DataLossError(
      fmt::format("event log segment {} is damaged at byte offset {} ({})", path, offset, reason));
}

// `current` says whether the segment is still the file the view describes (after opening it: a
// rewrite renames a new file over the path) and, when not, gives the new view; nullopt when
// retention deleted it.
using CurrentView = std::function<std::optional<SegmentView>(const SegmentView&)>;

Status ScanSegment(SegmentView view, const EventLog::ScanCallback& callback, ScanProgress& progress,
                   const CurrentView& current) {
  std::unique_ptr<internal::SegmentReader> opened;
  for (int attempt = 0;; ++attempt) {
    if (attempt == kSnapshotAttemptsMax) return RewrittenTooOften(view.path);
    Result<std::unique_ptr<internal::SegmentReader>> reader =
        internal::SegmentReader::Open(view.path, view.durable_bytes);
    // Retention may delete a segment between the snapshot and here; its records are gone.
    if (!reader.ok() && reader.status().code() == StatusCode::kNotFound) return Status::Ok();
    if (!reader.ok()) return reader.status();
    const std::optional<SegmentView> now = current(view);
    if (!now) return Status::Ok();
    if (now->generation == view.generation) {
      opened = std::move(*reader);
      break;
    }
    view = *now;
  }
  internal::SegmentReader& reader = *opened;
  uint64_t offset = 0;
  while (offset < view.durable_bytes) {
    ASSIGN_OR_RETURN(BatchRead read, reader.ReadAt(offset, /*with_payload=*/false));
    if (read.outcome == BatchRead::Outcome::kBatch &&
        read.header.end_sequence() > progress.from_sequence) {
      ASSIGN_OR_RETURN(read, reader.ReadAt(offset));
    }
    if (read.outcome == BatchRead::Outcome::kEnd)
      read.reason = "file shorter than its durable size";
    if (read.outcome != BatchRead::Outcome::kBatch)
      return ScanDamage(view.path, offset, read.reason);
    const internal::BatchHeader& header = read.header;
    Status status;
    internal::ForEachRecord(read.payload, [&](uint32_t index, std::string_view record) {
      const uint64_t sequence = header.first_sequence + index;
      if (!status.ok() || progress.stopped || sequence < progress.from_sequence) return;
      if (progress.visited == progress.records_max) {
        progress.stopped = true;
        progress.stopped_at = sequence;
        return;
      }
      ++progress.visited;
      status = callback(sequence, header.received_at, record);
    });
    RETURN_IF_ERROR(status);
    if (progress.stopped) return Status::Ok();
    offset += header.batch_bytes;
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<EventLog>> EventLog::Open(EventLogOptions options, const Clock& clock) {
  RETURN_IF_ERROR(ValidateOptions(options));
  RETURN_IF_ERROR(CreateDirectory(options.dir));
  ASSIGN_OR_RETURN(internal::DirectoryLock lock, internal::DirectoryLock::Acquire(options.dir));
  RETURN_IF_ERROR(RemoveUnfinishedRewrites(options.dir));
  ASSIGN_OR_RETURN(internal::RecoveredLog recovered, internal::RecoverLog(options.dir));
  EventLogFileSystem& file_system =
      options.file_system != nullptr ? *options.file_system : PosixEventLogFileSystem();
  const bool fresh = recovered.segments.empty();
  if (fresh) {
    recovered.segments.push_back(
        SegmentMeta{.path = fmt::format("{}/{}", options.dir, internal::SegmentFileName(0))});
  }
  ASSIGN_OR_RETURN(std::unique_ptr<EventLogFile> active,
                   file_system.OpenForAppend(recovered.segments.back().path));
  if (fresh) RETURN_IF_ERROR(file_system.SyncDirectory(options.dir));
  log::Info("events.log.opened", {{"dir", options.dir},
                                  {"segments", recovered.segments.size()},
                                  {"next_sequence", recovered.next_sequence},
                                  {"torn_bytes_truncated", recovered.torn_bytes_truncated},
                                  {"sequence_gaps", recovered.sequence_gaps}});
  return std::unique_ptr<EventLog>(new EventLog(std::move(options), clock, std::move(lock),
                                                std::move(recovered), std::move(active)));
}

EventLog::EventLog(EventLogOptions options, const Clock& clock, internal::DirectoryLock lock,
                   internal::RecoveredLog recovered, std::unique_ptr<EventLogFile> active_file)
    : options_(std::move(options)),
      clock_(clock),
      file_system_(options_.file_system != nullptr ? *options_.file_system
                                                   : PosixEventLogFileSystem()),
      lock_(std::move(lock)),
      segments_(std::move(recovered.segments)),
      next_sequence_(recovered.next_sequence),
      sequence_gaps_(recovered.sequence_gaps),
      active_file_(std::move(active_file)),
      active_durable_bytes_(segments_.back().bytes),
      writer_next_sequence_(recovered.next_sequence),
      writer_([this] { WriterLoop(); }) {}

EventLog::~EventLog() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  queue_changed_.notify_all();
  writer_.join();
}

namespace {

// Where one record is: a snapshot of its segment and batch taken under the state lock.
struct RecordLocation {
  size_t index = 0;  // in the sequences asked for
  uint64_t sequence = 0;
  std::string path;
  uint64_t durable_bytes = 0;
  uint64_t batch_offset = 0;
  uint64_t base_sequence = 0;
  uint64_t generation = 0;
};

std::optional<RecordLocation> Locate(const std::vector<SegmentMeta>& segments, uint64_t sequence) {
  auto segment =
      std::upper_bound(segments.begin(), segments.end(), sequence,
                       [](uint64_t s, const SegmentMeta& meta) { return s < meta.end_sequence; });
  if (segment == segments.end() || segment->record_count == 0 ||
      sequence < segment->first_sequence) {
    return std::nullopt;
  }
  const auto& batches = segment->batches;
  auto batch = std::upper_bound(
      batches.begin(), batches.end(), sequence,
      [](uint64_t s, const SegmentMeta::BatchStart& b) { return s < b.first_sequence; });
  if (batch == batches.begin()) return std::nullopt;
  --batch;
  return RecordLocation{0,
                        sequence,
                        segment->path,
                        segment->bytes,
                        batch->offset,
                        segment->base_sequence,
                        segment->generation};
}

}  // namespace

std::optional<uint64_t> EventLog::GenerationOf(uint64_t base_sequence) const {
  std::lock_guard lock(state_mutex_);
  for (const SegmentMeta& segment : segments_) {
    if (segment.base_sequence == base_sequence) return segment.generation;
  }
  return std::nullopt;
}

Status EventLog::Read(std::span<const uint64_t> sequences, const ScanCallback& callback) const {
  size_t next = 0;  // sequences before this one have been answered (or are gone)
  for (int attempt = 0; next < sequences.size(); ++attempt) {
    if (attempt == kSnapshotAttemptsMax) return RewrittenTooOften(dir());
    ASSIGN_OR_RETURN(next, ReadFrom(sequences, next, callback));
  }
  return Status::Ok();
}

// Answers sequences[from...] from one snapshot of the segments; returns sequences.size(), or the
// index to go on from with a new snapshot when a segment was rewritten since this one.
Result<size_t> EventLog::ReadFrom(std::span<const uint64_t> sequences, size_t from,
                                  const ScanCallback& callback) const {
  std::vector<RecordLocation> locations;
  locations.reserve(sequences.size() - from);
  {
    std::lock_guard lock(state_mutex_);
    for (size_t i = from; i < sequences.size(); ++i) {
      if (auto location = Locate(segments_, sequences[i])) {
        location->index = i;
        locations.push_back(std::move(*location));
      }
    }
  }
  std::unique_ptr<internal::SegmentReader> reader;
  std::string reader_path;
  BatchRead batch;
  uint64_t batch_offset = UINT64_MAX;
  for (const RecordLocation& location : locations) {
    if (reader_path != location.path) {
      Result<std::unique_ptr<internal::SegmentReader>> opened = internal::SegmentReader::Open(
          location.path, location.durable_bytes, internal::SegmentReader::Access::kRandom);
      // Retention may delete a segment after the snapshot; its records are gone.
      if (!opened.ok() && opened.status().code() == StatusCode::kNotFound) continue;
      if (!opened.ok()) return opened.status();
      const std::optional<uint64_t> generation = GenerationOf(location.base_sequence);
      if (!generation) continue;                                      // deleted by retention
      if (*generation != location.generation) return location.index;  // rewritten: new snapshot
      reader = std::move(*opened);
      reader_path = location.path;
      batch_offset = UINT64_MAX;
    }
    if (batch_offset != location.batch_offset) {
      ASSIGN_OR_RETURN(batch, reader->ReadAt(location.batch_offset));
      if (batch.outcome != BatchRead::Outcome::kBatch) {
        return ScanDamage(location.path, location.batch_offset,
                          batch.outcome == BatchRead::Outcome::kEnd
                              ? "file shorter than its durable size"
                              : batch.reason);
      }
      batch_offset = location.batch_offset;
    }
    Status status;
    bool found = false;
    internal::ForEachRecord(batch.payload, [&](uint32_t index, std::string_view record) {
      if (found || batch.header.first_sequence + index != location.sequence) return;
      found = true;
      status = callback(location.sequence, batch.header.received_at, record);
    });
    RETURN_IF_ERROR(status);
  }
  return sequences.size();
}

Result<uint64_t> EventLog::Scan(uint64_t from_sequence, const ScanCallback& callback,
                                uint64_t records_max) const {
  std::vector<SegmentView> views;
  uint64_t end_sequence = 0;
  {
    std::lock_guard lock(state_mutex_);
    for (const SegmentMeta& segment : segments_) {
      if (segment.end_sequence > from_sequence && segment.record_count > 0) {
        views.push_back(ViewOf(segment));
      }
    }
    end_sequence = next_sequence_;
  }
  ScanProgress progress{.from_sequence = from_sequence, .records_max = records_max};
  const CurrentView current = [this](const SegmentView& view) -> std::optional<SegmentView> {
    std::lock_guard lock(state_mutex_);
    for (const SegmentMeta& segment : segments_) {
      if (segment.base_sequence == view.base_sequence) return ViewOf(segment);
    }
    return std::nullopt;
  };
  for (const SegmentView& view : views) {
    RETURN_IF_ERROR(ScanSegment(view, callback, progress, current));
    if (progress.stopped) return progress.stopped_at;
  }
  return std::max(end_sequence, from_sequence);
}

uint64_t EventLog::NextSequence() const {
  std::lock_guard lock(state_mutex_);
  return next_sequence_;
}

EventLogStats EventLog::Stats() const {
  EventLogStats stats;
  {
    std::lock_guard lock(state_mutex_);
    stats.segments = segments_.size();
    stats.next_sequence = next_sequence_;
    stats.first_sequence = next_sequence_;
    for (auto it = segments_.rbegin(); it != segments_.rend(); ++it) {
      stats.bytes += it->bytes;
      stats.records += it->record_count;
      if (it->record_count > 0) stats.first_sequence = it->first_sequence;
    }
    stats.sequence_gaps = sequence_gaps_;
    stats.groups_committed = groups_committed_;
    stats.appends_committed = appends_committed_;
  }
  std::lock_guard lock(queue_mutex_);
  stats.queued_appends = queued_appends_;
  stats.queued_bytes = queued_bytes_;
  stats.failed = !failure_.ok();
  return stats;
}

Result<RetentionReport> EventLog::ApplyRetention() {
  std::lock_guard maintenance(maintenance_mutex_);
  const Timestamp now = clock_.Now();
  RetentionReport report;
  std::vector<std::string> doomed;
  {
    std::lock_guard lock(state_mutex_);
    uint64_t total_bytes = 0;
    for (const SegmentMeta& segment : segments_) total_bytes += segment.bytes;
    while (segments_.size() > 1) {  // never the segment being written
      const SegmentMeta& oldest = segments_.front();
      const bool too_old = options_.retention_age.count() > 0 &&
                           oldest.received_at_max < now - options_.retention_age;
      const bool too_big = options_.retention_bytes > 0 && total_bytes > options_.retention_bytes;
      if (!too_old && !too_big) break;
      total_bytes -= oldest.bytes;
      ++report.segments_deleted;
      report.bytes_deleted += oldest.bytes;
      report.records_deleted += oldest.record_count;
      doomed.push_back(oldest.path);
      segments_.erase(segments_.begin());
    }
  }
  Status status;
  for (const std::string& path : doomed) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT && status.ok()) {
      status = internal::ErrnoStatus("delete", path);
    }
  }
  if (!doomed.empty() && status.ok()) status = internal::SyncDirectory(options_.dir);
  if (!status.ok()) return status;
  if (!doomed.empty()) {
    log::Info("events.log.retention", {{"dir", options_.dir},
                                       {"segments_deleted", report.segments_deleted},
                                       {"bytes_deleted", report.bytes_deleted},
                                       {"records_deleted", report.records_deleted}});
  }
  return report;
}

}  // namespace banyan::events
