#include "events/internal/log_recovery.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>

#include "base/logging.h"
#include "events/internal/log_directory.h"
#include "events/internal/log_reader.h"

namespace banyan::events::internal {
namespace {

Status TruncateDurably(const std::string& path, uint64_t size_bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open", path);
  UniqueFd owner(fd);
  if (::ftruncate(fd, static_cast<off_t>(size_bytes)) != 0) return ErrnoStatus("ftruncate", path);
  if (::fsync(fd) != 0) return ErrnoStatus("fsync", path);
  return Status::Ok();
}

// Saves the torn bytes for forensics, then cuts them off.
Status CutTornTail(const std::string& dir, const SegmentReader& reader, uint64_t offset,
                   std::string_view reason, RecoveredLog& log) {
  const uint64_t bytes = reader.limit_bytes() - offset;
  ASSIGN_OR_RETURN(const std::string saved, Quarantine(dir, reader.path(), offset, bytes, "torn"));
  RETURN_IF_ERROR(TruncateDurably(reader.path(), offset));
  log.torn_bytes_truncated += bytes;
  log::Warn("events.log.torn_tail_truncated", {{"file", reader.path()},
                                               {"offset", offset},
                                               {"bytes", bytes},
                                               {"reason", reason},
                                               {"saved_to", saved}});
  return Status::Ok();
}

// Checks one segment batch by batch. `expected` is the next sequence the log expects; it is
// advanced past every valid batch.
Result<SegmentMeta> RecoverSegment(const std::string& dir, const SegmentFile& file, bool newest,
                                   uint64_t& expected, RecoveredLog& log) {
  SegmentMeta meta{
      .base_sequence = file.base_sequence, .path = file.path, .end_sequence = expected};
  ASSIGN_OR_RETURN(std::unique_ptr<SegmentReader> reader, SegmentReader::Open(file.path));
  uint64_t offset = 0;
  for (;;) {
    ASSIGN_OR_RETURN(const BatchRead read, reader->ReadAt(offset));
    if (read.outcome == BatchRead::Outcome::kEnd) break;
    if (read.outcome == BatchRead::Outcome::kBad) {
      ASSIGN_OR_RETURN(const std::optional<uint64_t> next, reader->FindNextValidBatch(offset + 1));
      if (next) {
        return DamageError(dir, file.path, offset, read.reason,
                           fmt::format("a valid batch follows at offset {}", *next));
      }
      if (!newest)
        return DamageError(dir, file.path, offset, read.reason, "a newer segment exists");
      RETURN_IF_ERROR(CutTornTail(dir, *reader, offset, read.reason, log));
      break;
    }
    const BatchHeader& header = read.header;
    if (header.first_sequence < expected) {
      return DamageError(dir, file.path, offset,
                         fmt::format("sequence {} goes backwards, expected {} or later",
                                     header.first_sequence, expected),
                         "its checksums are valid");
    }
    if (header.first_sequence > expected) {
      ++log.sequence_gaps;
      log::Warn("events.log.sequence_gap", {{"file", file.path},
                                            {"offset", offset},
                                            {"expected", expected},
                                            {"found", header.first_sequence}});
    }
    meta.AddBatch(header);
    expected = header.end_sequence();
    offset += header.batch_bytes;
  }
  meta.bytes = offset;
  return meta;
}

}  // namespace

void SegmentMeta::AddBatch(const BatchHeader& header) {
  if (record_count == 0) first_sequence = header.first_sequence;
  if (header.record_count > 0) batches.push_back({header.first_sequence, bytes});
  bytes += header.batch_bytes;
  record_count += header.record_count;
  end_sequence = header.end_sequence();
  received_at_max = std::max(received_at_max, header.received_at);
}

Status DamageError(const std::string& dir, const std::string& path, uint64_t offset,
                   std::string_view reason, std::string_view why_not_torn) {
  return DataLossError(fmt::format(
      "event log segment {} is damaged at byte offset {} ({}); this is not a torn write because "
      "{}, so the log will not open. Stop the server and run `banyan events repair {}` to move "
      "the damaged bytes to quarantine",
      path, offset, reason, why_not_torn, dir));
}

Result<RecoveredLog> RecoverLog(const std::string& dir) {
  ASSIGN_OR_RETURN(const std::vector<SegmentFile> files, ListSegments(dir));
  RecoveredLog log;
  uint64_t expected = files.empty() ? 0 : files.front().base_sequence;
  for (size_t i = 0; i < files.size(); ++i) {
    const SegmentFile& file = files[i];
    // A segment's name is the sequence its writer started it at; repair may have quarantined its
    // first batches, so the name is a lower bound, and the batches themselves are checked.
    if (i > 0 && file.base_sequence > expected) {
      ++log.sequence_gaps;
      log::Warn("events.log.sequence_gap", {{"file", file.path},
                                            {"offset", 0},
                                            {"expected", expected},
                                            {"found", file.base_sequence}});
    }
    expected = std::max(expected, file.base_sequence);
    ASSIGN_OR_RETURN(SegmentMeta meta,
                     RecoverSegment(dir, file, i + 1 == files.size(), expected, log));
    log.segments.push_back(std::move(meta));
  }
  log.next_sequence = expected;
  return log;
}

}  // namespace banyan::events::internal
