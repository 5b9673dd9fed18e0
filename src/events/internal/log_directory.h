// File and directory helpers for the event log: segment file names, listing segments, the
// directory lock, copying byte ranges into quarantine, and POSIX error mapping.
//
// Segment files are named by the sequence number of their first record, in 20 decimal digits:
// <dir>/00000000000000001000.log. Damaged bytes go to <dir>/quarantine/<segment>.<offset>.<kind>.
// Used by the event log, its recovery and repair.
// Thread safety: free functions are safe from any thread; a DirectoryLock is a value owned by one
// object.

#ifndef BANYAN_EVENTS_INTERNAL_LOG_DIRECTORY_H_
#define BANYAN_EVENTS_INTERNAL_LOG_DIRECTORY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace banyan::events::internal {

// Owns a file descriptor; closes it on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release();

 private:
  int fd_ = -1;
};

// A Status for the failed call `operation` on `path` from errno: NotFound for ENOENT,
// Unavailable otherwise (the disk is full, gone or failing; the caller may retry later).
Status ErrnoStatus(std::string_view operation, const std::string& path);

Status SyncDirectory(const std::string& dir);
Result<UniqueFd> OpenForReading(const std::string& path);
Result<uint64_t> FileSizeBytes(int fd, const std::string& path);
Status WriteAll(int fd, std::string_view data, const std::string& path);
// Copies `bytes` bytes starting at `offset` of `from` to the current end of `to`.
Status CopyRange(int from, uint64_t offset, uint64_t bytes, int to, const std::string& to_path);

inline constexpr std::string_view kSegmentSuffix = ".log";
inline constexpr std::string_view kQuarantineDirectory = "quarantine";

std::string SegmentFileName(uint64_t base_sequence);
// The base sequence encoded in a segment file name; nullopt for any other name.
std::optional<uint64_t> ParseSegmentFileName(std::string_view name);

struct SegmentFile {
  uint64_t base_sequence = 0;
  std::string path;
};
// The segments in `dir`, ordered by base sequence.
Result<std::vector<SegmentFile>> ListSegments(const std::string& dir);

// Copies `bytes` bytes at `offset` of `segment_path` to <dir>/quarantine/<segment>.<offset>.<kind>
// and makes the copy durable. Returns the quarantine file's path.
Result<std::string> Quarantine(const std::string& dir, const std::string& segment_path,
                               uint64_t offset, uint64_t bytes, std::string_view kind);

// An exclusive flock(2) on <dir>/LOCK, so one process (and one EventLog) owns a log directory.
// The kernel drops it when the process dies, so a crash never leaves the directory locked.
class DirectoryLock {
 public:
  static Result<DirectoryLock> Acquire(const std::string& dir);

 private:
  explicit DirectoryLock(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

}  // namespace banyan::events::internal

#endif  // BANYAN_EVENTS_INTERNAL_LOG_DIRECTORY_H_
