#include "base/key_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "base/encoding.h"

namespace banyan {
namespace {

Result<std::string> ReadKey(const std::string& path, size_t size) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return UnavailableError(fmt::format("key file {}: {}", path, std::strerror(errno)));
  }
  if ((st.st_mode & 077) != 0) {
    return FailedPreconditionError(
        fmt::format("key file {} is readable by group or others (mode {:o}); run chmod 600 on it",
                    path, st.st_mode & 0777));
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return UnavailableError(fmt::format("key file {}: {}", path, std::strerror(errno)));
  std::string text(size * 2 + 2, '\0');
  const ssize_t n = ::read(fd, text.data(), text.size());
  ::close(fd);
  if (n < 0) return UnavailableError(fmt::format("key file {}: {}", path, std::strerror(errno)));
  text.resize(static_cast<size_t>(n));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  auto key = HexDecode(text);
  if (!key || key->size() != size) {
    return DataLossError(fmt::format("key file {} does not hold a {}-byte hex key", path, size));
  }
  return std::move(*key);
}

}  // namespace

Result<std::string> LoadOrCreateKeyFile(const std::string& path, size_t size, Random& random) {
  if (::access(path.c_str(), F_OK) == 0) return ReadKey(path, size);
  std::error_code ec;
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::filesystem::create_directories(parent, ec);
    if (ec)
      return UnavailableError(fmt::format("cannot create {}: {}", parent.string(), ec.message()));
    ::chmod(parent.c_str(), 0700);
  }
  std::vector<uint8_t> key(size);
  random.Fill(key);
  const std::string text = HexEncode(key) + "\n";
  // O_EXCL: two processes starting at once must not both create different keys.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return ReadKey(path, size);
    return UnavailableError(
        fmt::format("cannot create key file {}: {}", path, std::strerror(errno)));
  }
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                       ::fsync(fd) == 0;
  ::close(fd);
  if (!written) {
    ::unlink(path.c_str());
    return UnavailableError(fmt::format("cannot write key file {}", path));
  }
  return std::string(reinterpret_cast<const char*>(key.data()), key.size());
}

}  // namespace banyan
