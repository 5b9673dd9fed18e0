#include "events/event_log_repair.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "base/logging.h"
#include "events/internal/log_directory.h"
#include "events/internal/log_reader.h"

namespace banyan::events {
namespace {

using internal::BatchRead;

struct ByteRange {
  uint64_t offset = 0;
  uint64_t bytes = 0;
};

// The outcome of checking one segment: which bytes to keep and which to quarantine.
struct SegmentPlan {
  std::vector<ByteRange> keep;
  std::vector<QuarantinedRange> damaged;
};

void Keep(std::vector<ByteRange>& keep, uint64_t offset, uint64_t bytes) {
  if (!keep.empty() && keep.back().offset + keep.back().bytes == offset) {
    keep.back().bytes += bytes;
  } else {
    keep.push_back({offset, bytes});
  }
}

// Walks the segment; `expected` is the log's next sequence and advances past each kept batch.
Result<SegmentPlan> PlanSegment(const internal::SegmentFile& file, uint64_t& expected,
                                std::vector<SequenceGap>& gaps) {
  ASSIGN_OR_RETURN(std::unique_ptr<internal::SegmentReader> reader,
                   internal::SegmentReader::Open(file.path));
  SegmentPlan plan;
  uint64_t offset = 0;
  for (;;) {
    ASSIGN_OR_RETURN(const BatchRead read, reader->ReadAt(offset));
    if (read.outcome == BatchRead::Outcome::kEnd) break;
    if (read.outcome == BatchRead::Outcome::kBatch && read.header.first_sequence >= expected) {
      if (read.header.first_sequence > expected) {
        gaps.push_back({expected, read.header.first_sequence - expected});
      }
      expected = read.header.end_sequence();
      Keep(plan.keep, offset, read.header.batch_bytes);
      offset += read.header.batch_bytes;
      continue;
    }
    uint64_t next = 0;
    std::string reason = read.reason;
    if (read.outcome == BatchRead::Outcome::kBatch) {  // valid, but the sequence went backwards
      next = offset + read.header.batch_bytes;
      reason = fmt::format("sequence {} goes backwards, expected {} or later",
                           read.header.first_sequence, expected);
    } else {
      ASSIGN_OR_RETURN(const std::optional<uint64_t> found, reader->FindNextValidBatch(offset + 1));
      next = found.value_or(reader->limit_bytes());
    }
    plan.damaged.push_back({.segment_path = file.path,
                            .offset = offset,
                            .bytes = next - offset,
                            .reason = std::move(reason)});
    offset = next;
  }
  return plan;
}

// Replaces the segment with only the kept ranges: temporary file, fsync, rename, fsync directory.
Status RewriteSegment(const std::string& dir, const std::string& path,
                      const std::vector<ByteRange>& keep) {
  const std::string temporary = path + ".repair";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return internal::ErrnoStatus("create", temporary);
  internal::UniqueFd out(fd);
  ASSIGN_OR_RETURN(internal::UniqueFd in, internal::OpenForReading(path));
  for (const ByteRange& range : keep) {
    RETURN_IF_ERROR(internal::CopyRange(in.get(), range.offset, range.bytes, out.get(), temporary));
  }
  if (::fsync(out.get()) != 0) return internal::ErrnoStatus("fsync", temporary);
  if (::rename(temporary.c_str(), path.c_str()) != 0) return internal::ErrnoStatus("rename", path);
  return internal::SyncDirectory(dir);
}

Status RepairSegment(const std::string& dir, SegmentPlan& plan, RepairReport& report) {
  for (QuarantinedRange& range : plan.damaged) {
    ASSIGN_OR_RETURN(range.quarantine_path, internal::Quarantine(dir, range.segment_path,
                                                                 range.offset, range.bytes, "bad"));
    log::Warn("events.log.quarantined", {{"file", range.segment_path},
                                         {"offset", range.offset},
                                         {"bytes", range.bytes},
                                         {"reason", range.reason},
                                         {"saved_to", range.quarantine_path}});
    report.bytes_quarantined += range.bytes;
  }
  // Quarantine copies are durable before the segment loses the bytes.
  RETURN_IF_ERROR(RewriteSegment(dir, plan.damaged.front().segment_path, plan.keep));
  for (QuarantinedRange& range : plan.damaged) report.quarantined.push_back(std::move(range));
  return Status::Ok();
}

}  // namespace

Result<RepairReport> RepairEventLog(const std::string& dir) {
  if (!std::filesystem::is_directory(dir)) {
    return NotFoundError(fmt::format("no event log directory at {}", dir));
  }
  ASSIGN_OR_RETURN(const internal::DirectoryLock lock, internal::DirectoryLock::Acquire(dir));
  ASSIGN_OR_RETURN(const std::vector<internal::SegmentFile> files, internal::ListSegments(dir));
  RepairReport report;
  uint64_t expected = files.empty() ? 0 : files.front().base_sequence;
  for (const internal::SegmentFile& file : files) {
    if (file.base_sequence > expected && report.segments_checked > 0) {
      report.sequence_gaps.push_back({expected, file.base_sequence - expected});
    }
    expected = std::max(expected, file.base_sequence);
    ++report.segments_checked;
    ASSIGN_OR_RETURN(SegmentPlan plan, PlanSegment(file, expected, report.sequence_gaps));
    if (!plan.damaged.empty()) RETURN_IF_ERROR(RepairSegment(dir, plan, report));
  }
  return report;
}

std::string RepairReport::Summary() const {
  std::string out = fmt::format("checked {} segments; quarantined {} ranges, {} bytes\n",
                                segments_checked, quarantined.size(), bytes_quarantined);
  for (const QuarantinedRange& range : quarantined) {
    out += fmt::format("  {} offset {}: {} bytes ({}) -> {}\n", range.segment_path, range.offset,
                       range.bytes, range.reason, range.quarantine_path);
  }
  for (const SequenceGap& gap : sequence_gaps) {
    out += fmt::format("  sequence gap: {} records missing, {} to {}\n", gap.count, gap.first,
                       gap.first + gap.count - 1);
  }
  return out;
}

}  // namespace banyan::events
