// SegmentReader: reads and checks the record batches of one segment file, through a buffer, and
// finds the next valid batch after damage (resynchronisation by magic bytes plus both checksums).
//
// Used by Open's recovery, Scan and Repair. A reader sees the file up to a limit fixed when it is
// opened (for the active segment: its durable size), so bytes being appended never show.
// Thread safety: one reader per thread; distinct readers of one file are independent.

#ifndef BANYAN_EVENTS_INTERNAL_LOG_READER_H_
#define BANYAN_EVENTS_INTERNAL_LOG_READER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "events/internal/log_directory.h"
#include "events/internal/log_format.h"

namespace banyan::events::internal {

struct BatchRead {
  enum class Outcome {
    kBatch,  // a valid batch; `header` (and `payload` when asked for) are set
    kEnd,    // the offset is the end of the readable bytes
    kBad,    // no valid batch starts here; `reason` says why
  };
  Outcome outcome = Outcome::kEnd;
  BatchHeader header;
  std::string_view payload;  // valid until the next call on the reader
  std::string reason;
};

class SegmentReader {
 public:
  // How the reader will be used. A sequential reader (recovery, scans, repair) reads ahead in
  // chunks of 1 MiB, so small batches cost one syscall per chunk; a random reader (look-ups of
  // single batches by offset) reads one page for the header and then exactly the batch.
  enum class Access { kSequential, kRandom };

  // Opens `path` for reading its first min(limit_bytes, file size) bytes.
  static Result<std::unique_ptr<SegmentReader>> Open(const std::string& path,
                                                     uint64_t limit_bytes = UINT64_MAX,
                                                     Access access = Access::kSequential);

  const std::string& path() const { return path_; }
  uint64_t limit_bytes() const { return limit_bytes_; }

  // Reads the batch starting at `offset`. With `with_payload` false only the header is read and
  // checked (enough to skip the batch); otherwise the payload is read and checked too.
  // Fails only for I/O errors; damage is reported as kBad.
  Result<BatchRead> ReadAt(uint64_t offset, bool with_payload = true);

  // The offset of the first fully valid batch at or after `from`; nullopt if there is none.
  Result<std::optional<uint64_t>> FindNextValidBatch(uint64_t from);

 private:
  SegmentReader(UniqueFd fd, std::string path, uint64_t limit_bytes, Access access)
      : fd_(std::move(fd)), path_(std::move(path)), limit_bytes_(limit_bytes), access_(access) {}
  // Buffers [offset, offset + bytes). REQUIRES: offset + bytes <= limit_bytes_.
  Status Fill(uint64_t offset, uint64_t bytes);
  const uint8_t* At(uint64_t offset) const;

  UniqueFd fd_;
  std::string path_;
  uint64_t limit_bytes_;
  Access access_;
  // Not a std::string: growing one zero-fills bytes that pread overwrites at once.
  std::unique_ptr<char[]> buffer_;
  uint64_t buffer_capacity_ = 0;
  uint64_t buffer_size_ = 0;
  uint64_t buffer_offset_ = 0;  // file offset of buffer_[0]
};

}  // namespace banyan::events::internal

#endif  // BANYAN_EVENTS_INTERNAL_LOG_READER_H_
