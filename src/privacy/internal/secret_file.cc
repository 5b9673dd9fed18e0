#include "privacy/internal/secret_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace banyan::privacy::internal {
namespace {

Status IoError(std::string_view what, const std::string& path) {
  return UnavailableError(fmt::format("{} {}: {}", what, path, std::strerror(errno)));
}

// Closes `fd` on every path out of a scope.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }
  // Closes now, reporting the error close() may carry for a written file.
  bool Close() {
    const int fd = fd_;
    fd_ = -1;
    return ::close(fd) == 0;
  }

 private:
  int fd_;
};

bool WriteAll(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    text.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

Status SyncDirectory(const std::filesystem::path& dir) {
  const std::string name = dir.empty() ? "." : dir.string();
  FileDescriptor fd(::open(name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0) return IoError("cannot sync directory", name);
  return Status::Ok();
}

Status EnsureParent(const std::filesystem::path& parent) {
  if (parent.empty()) return Status::Ok();
  std::error_code ec;
  if (std::filesystem::create_directories(parent, ec)) {
    ::chmod(parent.c_str(), 0700);
  }
  if (ec) {
    return UnavailableError(fmt::format("cannot create {}: {}", parent.string(), ec.message()));
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> ReadSecretFile(const std::string& path, size_t bytes_max) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return NotFoundError(fmt::format("{} does not exist", path));
    return IoError("cannot open", path);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return IoError("cannot stat", path);
  if ((st.st_mode & 077) != 0) {
    return FailedPreconditionError(
        fmt::format("{} is readable by group or others (mode {:o}); run chmod 600 on it", path,
                    st.st_mode & 0777));
  }
  if (static_cast<size_t>(st.st_size) > bytes_max) {
    return TooLargeError(fmt::format("{} is larger than {} bytes", path, bytes_max));
  }
  std::string text(bytes_max + 1, '\0');
  size_t size = 0;
  while (size < text.size()) {
    const ssize_t n = ::read(fd.get(), text.data() + size, text.size() - size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError("cannot read", path);
    if (n == 0) break;
    size += static_cast<size_t>(n);
  }
  if (size > bytes_max) {
    return TooLargeError(fmt::format("{} is larger than {} bytes", path, bytes_max));
  }
  text.resize(size);
  return text;
}

Status WriteSecretFile(const std::string& path, std::string_view text, WriteMode mode,
                       Random& random) {
  const std::filesystem::path target(path);
  RETURN_IF_ERROR(EnsureParent(target.parent_path()));
  const std::string temporary = fmt::format("{}.tmp-{:016x}", path, random.Next64());
  {
    FileDescriptor fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (fd.get() < 0) return IoError("cannot create", temporary);
    if (!WriteAll(fd.get(), text) || ::fsync(fd.get()) != 0 || !fd.Close()) {
      const Status status = IoError("cannot write", temporary);
      ::unlink(temporary.c_str());
      return status;
    }
  }
  if (mode == WriteMode::kCreateNew) {
    // link() fails with EEXIST instead of replacing: creation is exclusive and the file appears
    // whole or not at all.
    const bool linked = ::link(temporary.c_str(), path.c_str()) == 0;
    const int link_errno = errno;
    ::unlink(temporary.c_str());
    if (!linked) {
      if (link_errno == EEXIST) return AlreadyExistsError(fmt::format("{} exists", path));
      errno = link_errno;
      return IoError("cannot create", path);
    }
  } else if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const Status status = IoError("cannot replace", path);
    ::unlink(temporary.c_str());
    return status;
  }
  return SyncDirectory(target.parent_path());
}

}  // namespace banyan::privacy::internal
