// EventLog: the durable, append-only log of ingested events (issue #3 item 6).
//
// Records are opaque byte strings; the log gives each a dense, global, increasing sequence number
// and stores it in CRC32C-framed batches in segment files under one directory (byte layout and
// recovery rules: docs/formats/event_log.md). One group-commit writer thread takes every append
// queued while the previous fsync ran, writes them with one writev, fdatasyncs, and only then
// acknowledges them: an acknowledged append is on disk. An append is one batch, so after a crash
// it is either wholly present or wholly absent.
//
// Used by ingest (Append), start-up rebuild and GET /api/v1/events (Scan), and the server's
// housekeeping (ApplyRetention, and RewriteSealed when a customer is erased). `banyan events
// repair` calls RepairEventLog (event_log_repair.h).
//
// Thread safety: every method is safe from any thread. Append callbacks run on the writer thread;
// they must be quick and must not call AppendAndWait (which would wait for that same thread).

#ifndef BANYAN_EVENTS_EVENT_LOG_H_
#define BANYAN_EVENTS_EVENT_LOG_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "events/event_log_file.h"
#include "events/internal/log_directory.h"
#include "events/internal/log_recovery.h"

namespace banyan::events {

inline constexpr uint64_t kSegmentBytesMaxDefault = 128ull << 20;
inline constexpr uint64_t kQueueBytesMaxDefault = 64ull << 20;
inline constexpr uint64_t kQueueAppendsMaxDefault = 10'000;

struct EventLogOptions {
  std::string dir;  // created when absent; holds nothing but the log
  // A segment is closed and a new one started when the next batch would take it past this size.
  // A single batch larger than this gets a segment of its own.
  uint64_t segment_bytes_max = kSegmentBytesMaxDefault;
  // Appends accepted but not yet acknowledged, in encoded bytes and in count; beyond either,
  // Append fails fast with ResourceExhausted. One append may not exceed queue_bytes_max.
  uint64_t queue_bytes_max = kQueueBytesMaxDefault;
  uint64_t queue_appends_max = kQueueAppendsMaxDefault;
  // ApplyRetention deletes the oldest segments whose newest record was received longer ago than
  // this (zero: no age limit) ...
  Micros retention_age{0};
  // ... and then the oldest segments while all segments together exceed this (zero: no limit).
  uint64_t retention_bytes = 0;
  // The write path; nullptr means PosixEventLogFileSystem(). Must outlive the log.
  EventLogFileSystem* file_system = nullptr;
};

// Sequence numbers [first, first + count).
struct SequenceRange {
  uint64_t first = 0;
  uint64_t count = 0;
  uint64_t end() const { return first + count; }
  bool operator==(const SequenceRange&) const = default;
};

struct EventLogStats {
  uint64_t segments = 0;
  uint64_t bytes = 0;    // durable bytes in all segments
  uint64_t records = 0;  // durable records in all segments
  // The oldest record still kept; equals next_sequence when the log is empty.
  uint64_t first_sequence = 0;
  // The sequence of the next record appended; the newest durable record is next_sequence - 1.
  uint64_t next_sequence = 0;
  uint64_t sequence_gaps = 0;   // gaps found when the log was opened (left by repair)
  uint64_t queued_appends = 0;  // accepted, not yet acknowledged
  uint64_t queued_bytes = 0;
  uint64_t groups_committed = 0;  // fdatasyncs that acknowledged appends
  uint64_t appends_committed = 0;
  bool failed = false;  // a write or sync failed; the log accepts nothing until reopened
};

struct RetentionReport {
  uint64_t segments_deleted = 0;
  uint64_t bytes_deleted = 0;
  uint64_t records_deleted = 0;
};

struct RewriteReport {
  uint64_t segments_scanned = 0;
  uint64_t segments_rewritten = 0;
  uint64_t records_rewritten = 0;
  uint64_t bytes_before = 0;  // of the rewritten segments
  uint64_t bytes_after = 0;
};

class EventLog {
 public:
  using AppendCallback = std::function<void(Result<SequenceRange>)>;
  // Returning an error stops the scan; Scan returns that error.
  using ScanCallback =
      std::function<Status(uint64_t sequence, Timestamp received_at, std::string_view record)>;
  // Sees one record and returns its replacement, or nullopt to keep it as it is. Must give the
  // same answer when asked twice about one record.
  using RecordRewriter =
      std::function<Result<std::optional<std::string>>(uint64_t sequence, std::string_view record)>;

  // Opens (creating when absent) the log in options.dir and recovers it: see
  // internal/log_recovery.h. Fails with DataLoss, naming the file and offset, for damage that is
  // not a torn tail, and with FailedPrecondition when the directory is already open.
  // `clock` must outlive the log.
  static Result<std::unique_ptr<EventLog>> Open(EventLogOptions options, const Clock& clock);

  // Writes every accepted append, acknowledges it, then stops the writer.
  ~EventLog();
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  // Queues `records`, all received at `received_at`, as one batch. On OK, `done` is called exactly
  // once, from the writer thread: with the records' sequence range once they are durable, or with
  // Unavailable if writing failed. On an error return `done` is never called:
  // InvalidArgument (no records), TooLarge (the batch exceeds the append limit), ResourceExhausted
  // (the queue is full: retry later), Unavailable (the log has failed and must be reopened).
  Status Append(std::vector<std::string> records, Timestamp received_at, AppendCallback done);

  // Append, then wait for the outcome. REQUIRES: not called from an append callback.
  Result<SequenceRange> AppendAndWait(std::vector<std::string> records, Timestamp received_at);

  // Calls `callback` for each durable record with sequence >= from_sequence, in order, stopping
  // after `records_max`. Returns the sequence to scan from next time: one past the last record
  // visited, or NextSequence() as it was when the scan started if it reached the end. Records
  // appended during the scan may or may not be seen. Fails with DataLoss if a batch no longer
  // passes its checks.
  Result<uint64_t> Scan(uint64_t from_sequence, const ScanCallback& callback,
                        uint64_t records_max = UINT64_MAX) const;

  // Calls `callback` for each of `sequences` that the log still holds, in the order given;
  // sequences deleted by retention or never written are skipped. Costs a binary search and one
  // batch read per distinct batch (consecutive sequences of one batch share the read). For the
  // customer timeline, which knows its events' sequences. Fails with DataLoss if a batch no
  // longer passes its checks.
  Status Read(std::span<const uint64_t> sequences, const ScanCallback& callback) const;

  // The sequence the next appended record will get (one past the newest durable record).
  uint64_t NextSequence() const;
  EventLogStats Stats() const;

  // Deletes whole segments, oldest first, never the one being written, by options.retention_age
  // and options.retention_bytes; stops at the first segment that is kept, so retention never
  // leaves a hole. For the server to call periodically.
  Result<RetentionReport> ApplyRetention();

  // Closes the segment being written (when it holds any record) and starts a new one, so that
  // every record appended so far is in a sealed segment. Waits for the writer to do it.
  Status SealActiveSegment();

  // Replaces records in sealed segments — never the one being written — for erasure under PIPL:
  // each record of a segment holding sequences >= from_sequence is shown to `rewrite`; a
  // segment with any replacement is written whole to `<segment>.rewrite` beside it, synced and
  // renamed over the segment, so a crash leaves either the old file or the new one (a leftover
  // `.rewrite` file is deleted at Open). Sequence numbers, received_at and batch boundaries are
  // kept; only the records' bytes (and so the batches' offsets) change. Readers never see a
  // mixture: a Scan or Read that opened the old file keeps reading it, one that finds the path
  // replaced since its snapshot takes a new snapshot. Runs on the caller's thread; one rewrite
  // or retention pass at a time. Fails with InvalidArgument if a replacement makes a batch
  // larger than the batch limit, and with DataLoss for damage, before replacing that segment.
  Result<RewriteReport> RewriteSealed(uint64_t from_sequence, const RecordRewriter& rewrite);

  const std::string& dir() const { return options_.dir; }

 private:
  struct PendingAppend {
    std::string batch;  // encoded, waiting for SealBatch
    uint32_t record_count = 0;
    Timestamp received_at;
    AppendCallback done = nullptr;
    SequenceRange range = {};  // set by the writer
  };

  EventLog(EventLogOptions options, const Clock& clock, internal::DirectoryLock lock,
           internal::RecoveredLog recovered, std::unique_ptr<EventLogFile> active_file);

  // Writer thread (event_log_writer.cc).
  void WriterLoop();
  void CommitGroup(std::deque<PendingAppend>& group);
  Status WriteGroup(std::deque<PendingAppend>& group, size_t& durable_count);
  Status FlushGroupPart(std::vector<std::string_view>& pieces,
                        const std::deque<PendingAppend>& group, size_t begin, size_t end);
  Status RollSegment();
  void RollIfRequested();
  void FailLog(const Status& cause);

  Result<size_t> ReadFrom(std::span<const uint64_t> sequences, size_t from,
                          const ScanCallback& callback) const;
  // The generation of the segment starting at `base_sequence`; nullopt once it is deleted.
  std::optional<uint64_t> GenerationOf(uint64_t base_sequence) const;

  // event_log_rewrite.cc.
  Result<bool> RewriteSegment(const internal::SegmentMeta& segment, const RecordRewriter& rewrite,
                              RewriteReport& report);

  const EventLogOptions options_;
  const Clock& clock_;
  EventLogFileSystem& file_system_;
  internal::DirectoryLock lock_;

  // The queue: appends accepted and not yet acknowledged, counted until their callbacks are due.
  mutable std::mutex queue_mutex_;
  std::condition_variable queue_changed_;
  std::deque<PendingAppend> queue_;
  uint64_t queued_bytes_ = 0;    // includes the group being written
  uint64_t queued_appends_ = 0;  // includes the group being written
  Status failure_;               // set once, when a write or sync fails
  bool stopping_ = false;
  // SealActiveSegment's requests, answered by the writer between groups.
  std::vector<std::function<void(Status)>> roll_requests_;

  // Serialises RewriteSealed and ApplyRetention, which both replace or delete sealed segments.
  std::mutex maintenance_mutex_;

  // What readers see: durable segments and the next sequence.
  mutable std::mutex state_mutex_;
  std::vector<internal::SegmentMeta> segments_;  // never empty; back() is being written
  uint64_t next_sequence_ = 0;
  uint64_t sequence_gaps_ = 0;
  uint64_t groups_committed_ = 0;
  uint64_t appends_committed_ = 0;

  // Owned by the writer thread.
  std::unique_ptr<EventLogFile> active_file_;
  uint64_t active_durable_bytes_ = 0;
  uint64_t writer_next_sequence_ = 0;

  std::thread writer_;  // last: starts after everything above is set
};

}  // namespace banyan::events

#endif  // BANYAN_EVENTS_EVENT_LOG_H_
