#include "events/internal/log_directory.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace banyan::events::internal {
namespace {

constexpr size_t kSegmentNameDigits = 20;
constexpr size_t kCopyChunkBytes = 1 << 20;

}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

int UniqueFd::release() {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

Status ErrnoStatus(std::string_view operation, const std::string& path) {
  const int error = errno;
  std::string message = fmt::format("{} {}: {}", operation, path, std::strerror(error));
  if (error == ENOENT) return NotFoundError(std::move(message));
  return UnavailableError(std::move(message));
}

Status SyncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open directory", dir);
  UniqueFd owner(fd);
  if (::fsync(fd) != 0) return ErrnoStatus("fsync directory", dir);
  return Status::Ok();
}

Result<UniqueFd> OpenForReading(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open", path);
  return UniqueFd(fd);
}

Result<uint64_t> FileSizeBytes(int fd, const std::string& path) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return ErrnoStatus("fstat", path);
  return static_cast<uint64_t>(st.st_size);
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t written = ::write(fd, data.data(), data.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("write", path);
    }
    data.remove_prefix(static_cast<size_t>(written));
  }
  return Status::Ok();
}

Status CopyRange(int from, uint64_t offset, uint64_t bytes, int to, const std::string& to_path) {
  std::string buffer(std::min<uint64_t>(bytes, kCopyChunkBytes), '\0');
  while (bytes > 0) {
    const size_t want = std::min<uint64_t>(bytes, buffer.size());
    const ssize_t got = ::pread(from, buffer.data(), want, static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      if (got == 0) errno = EIO;  // the source shrank under us
      return ErrnoStatus("read for copy to", to_path);
    }
    RETURN_IF_ERROR(
        WriteAll(to, std::string_view(buffer.data(), static_cast<size_t>(got)), to_path));
    offset += static_cast<uint64_t>(got);
    bytes -= static_cast<uint64_t>(got);
  }
  return Status::Ok();
}

std::string SegmentFileName(uint64_t base_sequence) {
  return fmt::format("{:0{}}{}", base_sequence, kSegmentNameDigits, kSegmentSuffix);
}

std::optional<uint64_t> ParseSegmentFileName(std::string_view name) {
  if (name.size() != kSegmentNameDigits + kSegmentSuffix.size() ||
      !name.ends_with(kSegmentSuffix)) {
    return std::nullopt;
  }
  uint64_t value = 0;
  for (size_t i = 0; i < kSegmentNameDigits; ++i) {
    const char c = name[i];
    if (c < '0' || c > '9') return std::nullopt;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

Result<std::vector<SegmentFile>> ListSegments(const std::string& dir) {
  std::vector<SegmentFile> segments;
  std::error_code error;
  for (auto it = std::filesystem::directory_iterator(dir, error);
       !error && it != std::filesystem::directory_iterator(); it.increment(error)) {
    const std::string name = it->path().filename().string();
    const std::optional<uint64_t> base = ParseSegmentFileName(name);
    if (base && it->is_regular_file()) segments.push_back({*base, it->path().string()});
  }
  if (error) return UnavailableError(fmt::format("list {}: {}", dir, error.message()));
  std::sort(segments.begin(), segments.end(), [](const SegmentFile& a, const SegmentFile& b) {
    return a.base_sequence < b.base_sequence;
  });
  return segments;
}

Result<std::string> Quarantine(const std::string& dir, const std::string& segment_path,
                               uint64_t offset, uint64_t bytes, std::string_view kind) {
  const std::string quarantine_dir = fmt::format("{}/{}", dir, kQuarantineDirectory);
  if (::mkdir(quarantine_dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return ErrnoStatus("mkdir", quarantine_dir);
  }
  const std::string name = std::filesystem::path(segment_path).filename().string();
  const std::string path = fmt::format("{}/{}.{}.{}", quarantine_dir, name, offset, kind);
  ASSIGN_OR_RETURN(UniqueFd from, OpenForReading(segment_path));
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("create", path);
  UniqueFd to(fd);
  RETURN_IF_ERROR(CopyRange(from.get(), offset, bytes, to.get(), path));
  if (::fsync(to.get()) != 0) return ErrnoStatus("fsync", path);
  RETURN_IF_ERROR(SyncDirectory(quarantine_dir));
  RETURN_IF_ERROR(SyncDirectory(dir));
  return path;
}

Result<DirectoryLock> DirectoryLock::Acquire(const std::string& dir) {
  const std::string path = dir + "/LOCK";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("open", path);
  UniqueFd owner(fd);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      return FailedPreconditionError(
          fmt::format("event log {} is already open in this or another process", dir));
    }
    return ErrnoStatus("flock", path);
  }
  return DirectoryLock(std::move(owner));
}

}  // namespace banyan::events::internal
