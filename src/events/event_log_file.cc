#include "events/event_log_file.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "events/internal/log_directory.h"

namespace banyan::events {
namespace {

class PosixFile final : public EventLogFile {
 public:
  PosixFile(internal::UniqueFd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}

  Status Append(std::span<const std::string_view> pieces) override {
    std::vector<iovec> iov;
    iov.reserve(pieces.size());
    for (std::string_view piece : pieces) {
      if (!piece.empty()) iov.push_back({const_cast<char*>(piece.data()), piece.size()});
    }
    size_t next = 0;
    while (next < iov.size()) {
      const int count = static_cast<int>(std::min<size_t>(iov.size() - next, IOV_MAX));
      const ssize_t written = ::writev(fd_.get(), iov.data() + next, count);
      if (written < 0) {
        if (errno == EINTR) continue;
        return internal::ErrnoStatus("write", path_);
      }
      // A short write: skip the whole pieces written and trim the partly written one.
      size_t left = static_cast<size_t>(written);
      while (next < iov.size() && left >= iov[next].iov_len) left -= iov[next++].iov_len;
      if (left > 0) {
        iov[next].iov_base = static_cast<char*>(iov[next].iov_base) + left;
        iov[next].iov_len -= left;
      }
    }
    return Status::Ok();
  }

  Status Sync() override {
    if (::fdatasync(fd_.get()) != 0) return internal::ErrnoStatus("fdatasync", path_);
    return Status::Ok();
  }

  Status Truncate(uint64_t size_bytes) override {
    if (::ftruncate(fd_.get(), static_cast<off_t>(size_bytes)) != 0) {
      return internal::ErrnoStatus("ftruncate", path_);
    }
    return Status::Ok();
  }

 private:
  internal::UniqueFd fd_;
  std::string path_;
};

class PosixFileSystem final : public EventLogFileSystem {
 public:
  Result<std::unique_ptr<EventLogFile>> OpenForAppend(const std::string& path) override {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return internal::ErrnoStatus("open", path);
    return std::unique_ptr<EventLogFile>(new PosixFile(internal::UniqueFd(fd), path));
  }

  Status SyncDirectory(const std::string& dir) override { return internal::SyncDirectory(dir); }
};

}  // namespace

EventLogFileSystem& PosixEventLogFileSystem() {
  static PosixFileSystem* const kFileSystem = new PosixFileSystem();
  return *kFileSystem;
}

}  // namespace banyan::events
