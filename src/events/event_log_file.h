// EventLogFile and EventLogFileSystem: the event log's write path to disk, behind a small
// interface so tests can make a write or an fsync fail (or stall) at a chosen moment.
//
// The event log writes segments only through these calls: open for append, write, fdatasync,
// truncate, and fsync of the directory after creating a segment. Reading, recovery and repair use
// POSIX directly. PosixEventLogFileSystem() is the production implementation.
// Thread safety: an EventLogFile is used by one thread at a time (the log's writer thread);
// PosixEventLogFileSystem() is safe from any thread.

#ifndef BANYAN_EVENTS_EVENT_LOG_FILE_H_
#define BANYAN_EVENTS_EVENT_LOG_FILE_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"

namespace banyan::events {

class EventLogFile {
 public:
  virtual ~EventLogFile() = default;
  // Writes all of `pieces`, in order, at the end of the file (one writev(2) where the kernel
  // allows). On failure an unknown prefix may have been written.
  virtual Status Append(std::span<const std::string_view> pieces) = 0;
  // Makes everything appended so far durable (fdatasync(2)).
  virtual Status Sync() = 0;
  // Cuts the file to `size_bytes`; used to take back bytes whose write or sync failed.
  virtual Status Truncate(uint64_t size_bytes) = 0;
};

class EventLogFileSystem {
 public:
  virtual ~EventLogFileSystem() = default;
  // Opens `path` for appending, creating it when absent.
  virtual Result<std::unique_ptr<EventLogFile>> OpenForAppend(const std::string& path) = 0;
  // Makes the creation or removal of files in `dir` durable.
  virtual Status SyncDirectory(const std::string& dir) = 0;
};

// The real file system; lives forever.
EventLogFileSystem& PosixEventLogFileSystem();

}  // namespace banyan::events

#endif  // BANYAN_EVENTS_EVENT_LOG_FILE_H_
