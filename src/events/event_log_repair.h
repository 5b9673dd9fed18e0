// RepairEventLog: makes a damaged event-log directory open again, keeping every byte it removes.
//
// For each batch that fails its checks (or whose sequence goes backwards), repair finds the next
// valid batch (by magic bytes and both checksums) or the end of the file, copies the damaged bytes
// [bad batch, next valid batch) to <dir>/quarantine/<segment>.<offset>.bad, and rewrites the
// segment without them (write to a temporary file, fsync, rename, fsync the directory). Sequence
// numbers are not rewritten: records after a quarantined range keep theirs, and the log continues
// with a gap, which the report lists. Running it on a healthy log changes nothing.
//
// Used by `banyan events repair <dir>` (server module), run while the server is stopped.
// Thread safety: takes the directory lock, so it fails with FailedPrecondition while an EventLog
// has the directory open.

#ifndef BANYAN_EVENTS_EVENT_LOG_REPAIR_H_
#define BANYAN_EVENTS_EVENT_LOG_REPAIR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"

namespace banyan::events {

struct QuarantinedRange {
  std::string segment_path = {};
  uint64_t offset = 0;  // in the segment as it was before repair
  uint64_t bytes = 0;
  std::string reason = {};  // why the batch at `offset` was rejected
  std::string quarantine_path = {};
};

// Sequence numbers [first, first + count) that no record in the log has any more, between two
// valid batches. Damage at the very end of the log leaves no gap it can measure.
struct SequenceGap {
  uint64_t first = 0;
  uint64_t count = 0;
};

struct RepairReport {
  uint64_t segments_checked = 0;
  uint64_t bytes_quarantined = 0;
  std::vector<QuarantinedRange> quarantined;
  std::vector<SequenceGap> sequence_gaps;  // all gaps in the repaired log, oldest first

  // A few lines for the operator.
  std::string Summary() const;
};

Result<RepairReport> RepairEventLog(const std::string& dir);

}  // namespace banyan::events

#endif  // BANYAN_EVENTS_EVENT_LOG_REPAIR_H_
