// Recovery of an event-log directory when it is opened: checks every batch of every segment,
// cuts a torn tail off the newest segment, and refuses (DataLoss) any other damage.
//
// The rules (docs/formats/event_log.md, "Recovery"):
//  - A batch that fails its checks at offset X of the NEWEST segment, with no valid batch anywhere
//    after X, is a write that a crash interrupted: bytes [X, end) are copied to
//    quarantine/<segment>.<X>.torn, the segment is truncated to X, and a warning is logged.
//  - Any other damage (in an older segment, or followed by a valid batch) is not something a crash
//    produces: recovery fails with DataLoss naming the file and offset, and the operator runs
//    `banyan events repair`.
//  - Sequence numbers must not go backwards; a forward jump is a gap that repair or retention left,
//    allowed and logged.
// Used by EventLog::Open. Thread safety: call with the directory lock held, from one thread.

#ifndef BANYAN_EVENTS_INTERNAL_LOG_RECOVERY_H_
#define BANYAN_EVENTS_INTERNAL_LOG_RECOVERY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "events/internal/log_format.h"

namespace banyan::events::internal {

// What the log knows about one segment without reading it again.
struct SegmentMeta {
  uint64_t base_sequence = 0;  // from the file name
  std::string path;
  uint64_t bytes = 0;  // valid (and, once recovered, durable) bytes
  uint64_t record_count = 0;
  uint64_t first_sequence = 0;  // of the first record; meaningful when record_count > 0
  uint64_t end_sequence = 0;    // one past the last record; while empty, the log's next sequence
  Timestamp received_at_max = Timestamp::min();
  // Bumped each time EventLog::RewriteSealed replaces the file: a reader that opened the path
  // checks it afterwards, so it never reads the new file with the old file's offsets.
  uint64_t generation = 0;
  // Where each batch starts, in order: reading one record (EventLog::Read) is a binary search
  // and one batch read rather than a scan. 16 bytes per batch — a few MB for a billion events in
  // batches of a hundred.
  struct BatchStart {
    uint64_t first_sequence = 0;
    uint64_t offset = 0;
  };
  std::vector<BatchStart> batches = {};

  // Records a batch that starts at byte `bytes` (the segment's size before it).
  void AddBatch(const BatchHeader& header);
};

struct RecoveredLog {
  std::vector<SegmentMeta> segments;  // ordered; empty for a new directory
  uint64_t next_sequence = 0;
  uint64_t sequence_gaps = 0;
  uint64_t torn_bytes_truncated = 0;
};

// REQUIRES: the caller holds the DirectoryLock of `dir`.
Result<RecoveredLog> RecoverLog(const std::string& dir);

// The DataLoss error for damage at `offset` of `path` that recovery will not repair by itself.
Status DamageError(const std::string& dir, const std::string& path, uint64_t offset,
                   std::string_view reason, std::string_view why_not_torn);

}  // namespace banyan::events::internal

#endif  // BANYAN_EVENTS_INTERNAL_LOG_RECOVERY_H_
