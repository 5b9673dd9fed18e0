// EventLog: rewriting records of sealed segments (RewriteSealed), for erasure under PIPL.
//
// A segment is read twice: once to learn whether any record changes (most segments hold none of
// an erased customer's events and are left alone), then again to write the new file. The new file
// is written beside the old one as `<segment>.rewrite` and fdatasync'ed; then, under the state
// lock, renamed over the segment while the in-memory segment (size, batch offsets) is replaced and
// its generation bumped, so readers move to the new file between two reads; then the directory is
// synced.

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

#include "base/logging.h"
#include "events/event_log.h"
#include "events/internal/log_format.h"
#include "events/internal/log_reader.h"

namespace banyan::events {
namespace {

using internal::BatchRead;
using internal::SegmentMeta;

constexpr std::string_view kRewriteSuffix = ".rewrite";

// Calls visit(header, records) for each batch of the segment, its records after `rewrite`;
// `changed` counts the records replaced.
template <typename Visit>
Status ForEachRewrittenBatch(const SegmentMeta& segment, const EventLog::RecordRewriter& rewrite,
                             uint64_t& changed, Visit&& visit) {
  ASSIGN_OR_RETURN(std::unique_ptr<internal::SegmentReader> reader,
                   internal::SegmentReader::Open(segment.path, segment.bytes));
  uint64_t offset = 0;
  std::vector<std::string> records;
  while (offset < segment.bytes) {
    ASSIGN_OR_RETURN(const BatchRead read, reader->ReadAt(offset));
    if (read.outcome != BatchRead::Outcome::kBatch) {
      return DataLossError(fmt::format(
          "event log segment {} is damaged at byte offset {} ({})", segment.path, offset,
          read.outcome == BatchRead::Outcome::kEnd ? "file shorter than its durable size"
                                                   : read.reason));
    }
    records.clear();
    Status status;
    internal::ForEachRecord(read.payload, [&](uint32_t index, std::string_view record) {
      if (!status.ok()) return;
      Result<std::optional<std::string>> replaced =
          rewrite(read.header.first_sequence + index, record);
      if (!replaced.ok()) {
        status = replaced.status();
        return;
      }
      if (replaced->has_value()) {
        ++changed;
        records.push_back(std::move(**replaced));
      } else {
        records.emplace_back(record);
      }
    });
    RETURN_IF_ERROR(status);
    RETURN_IF_ERROR(visit(read.header, records));
    offset += read.header.batch_bytes;
  }
  return Status::Ok();
}

// Writes the rewritten segment to `path` and syncs it; returns its metadata.
Result<SegmentMeta> WriteRewritten(const SegmentMeta& segment, const std::string& path,
                                   const EventLog::RecordRewriter& rewrite) {
  internal::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (fd.get() < 0) return internal::ErrnoStatus("create", path);
  SegmentMeta meta{.base_sequence = segment.base_sequence,
                   .path = segment.path,
                   .end_sequence = segment.base_sequence,
                   .generation = segment.generation + 1};
  uint64_t changed = 0;
  RETURN_IF_ERROR(ForEachRewrittenBatch(
      segment, rewrite, changed,
      [&](const internal::BatchHeader& header, const std::vector<std::string>& records) -> Status {
        const uint64_t bytes = internal::EncodedBatchBytes(records);
        if (bytes > internal::kBatchBytesMax) {
          return InvalidArgumentError(fmt::format(
              "rewriting the batch at sequence {} of {} would make it {} bytes; the limit is {}",
              header.first_sequence, segment.path, bytes, internal::kBatchBytesMax));
        }
        std::string batch = internal::EncodeUnsealedBatch(records, header.received_at);
        internal::SealBatch(batch, header.first_sequence);
        RETURN_IF_ERROR(internal::WriteAll(fd.get(), batch, path));
        meta.AddBatch({.batch_bytes = static_cast<uint32_t>(batch.size()),
                       .record_count = header.record_count,
                       .first_sequence = header.first_sequence,
                       .received_at = header.received_at});
        return Status::Ok();
      }));
  if (::fdatasync(fd.get()) != 0) return internal::ErrnoStatus("sync", path);
  if (meta.record_count != segment.record_count || meta.end_sequence != segment.end_sequence) {
    return DataLossError(
        fmt::format("event log segment {} changed while it was rewritten", segment.path));
  }
  return meta;
}

}  // namespace

Result<RewriteReport> EventLog::RewriteSealed(uint64_t from_sequence,
                                              const RecordRewriter& rewrite) {
  std::lock_guard maintenance(maintenance_mutex_);
  std::vector<SegmentMeta> sealed;
  {
    std::lock_guard lock(state_mutex_);
    for (size_t i = 0; i + 1 < segments_.size(); ++i) {  // never the segment being written
      if (segments_[i].record_count > 0 && segments_[i].end_sequence > from_sequence) {
        sealed.push_back(segments_[i]);
      }
    }
  }
  RewriteReport report;
  for (const SegmentMeta& segment : sealed) {
    ++report.segments_scanned;
    ASSIGN_OR_RETURN(const bool rewritten, RewriteSegment(segment, rewrite, report));
    if (rewritten) ++report.segments_rewritten;
  }
  if (report.segments_rewritten > 0) {
    log::Info("events.log.rewritten", {{"dir", options_.dir},
                                       {"segments_rewritten", report.segments_rewritten},
                                       {"records_rewritten", report.records_rewritten},
                                       {"bytes_before", report.bytes_before},
                                       {"bytes_after", report.bytes_after}});
  }
  return report;
}

Result<bool> EventLog::RewriteSegment(const SegmentMeta& segment, const RecordRewriter& rewrite,
                                      RewriteReport& report) {
  uint64_t changed = 0;
  RETURN_IF_ERROR(ForEachRewrittenBatch(
      segment, rewrite, changed,
      [](const internal::BatchHeader&, const std::vector<std::string>&) { return Status::Ok(); }));
  if (changed == 0) return false;
  const std::string temporary = segment.path + std::string(kRewriteSuffix);
  Result<SegmentMeta> written = WriteRewritten(segment, temporary, rewrite);
  if (!written.ok()) {
    ::unlink(temporary.c_str());
    return written.status();
  }
  {
    // The rename and the new metadata under one lock: a reader that opens the path after the
    // rename finds the generation already bumped when it checks, and takes a new snapshot.
    std::lock_guard lock(state_mutex_);
    if (::rename(temporary.c_str(), segment.path.c_str()) != 0) {
      const Status status = internal::ErrnoStatus("rename", temporary);
      ::unlink(temporary.c_str());
      return status;
    }
    for (SegmentMeta& meta : segments_) {
      if (meta.base_sequence == segment.base_sequence) meta = *written;
    }
  }
  RETURN_IF_ERROR(internal::SyncDirectory(options_.dir));
  report.records_rewritten += changed;
  report.bytes_before += segment.bytes;
  report.bytes_after += written->bytes;
  return true;
}

}  // namespace banyan::events
