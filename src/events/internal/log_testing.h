// Test support for the event log: temporary directories, file helpers, and FaultyFileSystem, an
// EventLogFileSystem over the real one that can fail a write or a sync, write only part of a
// group, refuse to truncate, or hold syncs until released.
// Used only by the event log's tests.
// Thread safety: FaultyFileSystem's controls may be flipped from the test thread while the log's
// writer thread uses it.

#ifndef BANYAN_EVENTS_INTERNAL_LOG_TESTING_H_
#define BANYAN_EVENTS_INTERNAL_LOG_TESTING_H_

#include <stdlib.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <string>

#include "base/check.h"
#include "base/testing/temp_dir.h"
#include "events/event_log_file.h"

namespace banyan::events::testing {

// A temporary directory named for the event log's tests.
class TempDir : public banyan::testing::TempDir {
 public:
  TempDir() : banyan::testing::TempDir("banyan_evlog") {}
};

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  CHECK(in.good(), "cannot read {}", path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline void WriteFile(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  CHECK(out.good(), "cannot write {}", path);
}

class FaultyFileSystem final : public EventLogFileSystem {
 public:
  std::atomic<bool> fail_next_append{false};
  // With fail_next_append: how many bytes of the group reach the file before the failure.
  std::atomic<uint64_t> partial_append_bytes{0};
  std::atomic<bool> fail_next_sync{false};
  std::atomic<bool> fail_truncate{false};
  std::atomic<int> syncs_started{0};

  // While held, Sync waits (after counting itself in syncs_started) until Release.
  void HoldSyncs() {
    std::lock_guard lock(mutex_);
    held_ = true;
  }
  void ReleaseSyncs() {
    {
      std::lock_guard lock(mutex_);
      held_ = false;
    }
    released_.notify_all();
  }

  Result<std::unique_ptr<EventLogFile>> OpenForAppend(const std::string& path) override {
    ASSIGN_OR_RETURN(std::unique_ptr<EventLogFile> real,
                     PosixEventLogFileSystem().OpenForAppend(path));
    return std::unique_ptr<EventLogFile>(new File(*this, std::move(real)));
  }
  Status SyncDirectory(const std::string& dir) override {
    return PosixEventLogFileSystem().SyncDirectory(dir);
  }

 private:
  class File final : public EventLogFile {
   public:
    File(FaultyFileSystem& owner, std::unique_ptr<EventLogFile> real)
        : owner_(owner), real_(std::move(real)) {}
    Status Append(std::span<const std::string_view> pieces) override {
      if (!owner_.fail_next_append.exchange(false)) return real_->Append(pieces);
      std::string joined;
      for (std::string_view piece : pieces) joined.append(piece);
      joined.resize(std::min<uint64_t>(joined.size(), owner_.partial_append_bytes.load()));
      const std::string_view prefix[] = {joined};
      RETURN_IF_ERROR(real_->Append(prefix));
      return UnavailableError("injected write failure: No space left on device");
    }
    Status Sync() override {
      ++owner_.syncs_started;
      {
        std::unique_lock lock(owner_.mutex_);
        owner_.released_.wait(lock, [this] { return !owner_.held_; });
      }
      if (owner_.fail_next_sync.exchange(false)) {
        return UnavailableError("injected fdatasync failure: Input/output error");
      }
      return real_->Sync();
    }
    Status Truncate(uint64_t size_bytes) override {
      if (owner_.fail_truncate.load()) return UnavailableError("injected truncate failure");
      return real_->Truncate(size_bytes);
    }

   private:
    FaultyFileSystem& owner_;
    std::unique_ptr<EventLogFile> real_;
  };

  std::mutex mutex_;
  std::condition_variable released_;
  bool held_ = false;
};

}  // namespace banyan::events::testing

#endif  // BANYAN_EVENTS_INTERNAL_LOG_TESTING_H_
