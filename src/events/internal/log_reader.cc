#include "events/internal/log_reader.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace banyan::events::internal {
namespace {

// A sequential reader reads chunks of at least this much, so small batches cost one syscall per
// chunk; a random one reads at least a page, which holds a small batch whole.
constexpr uint64_t kReadChunkBytes = 1 << 20;
constexpr uint64_t kRandomReadBytes = 4096;

}  // namespace

Result<std::unique_ptr<SegmentReader>> SegmentReader::Open(const std::string& path,
                                                           uint64_t limit_bytes, Access access) {
  ASSIGN_OR_RETURN(UniqueFd fd, OpenForReading(path));
  ASSIGN_OR_RETURN(const uint64_t size_bytes, FileSizeBytes(fd.get(), path));
  return std::unique_ptr<SegmentReader>(
      new SegmentReader(std::move(fd), path, std::min(size_bytes, limit_bytes), access));
}

const uint8_t* SegmentReader::At(uint64_t offset) const {
  return reinterpret_cast<const uint8_t*>(buffer_.get()) + (offset - buffer_offset_);
}

Status SegmentReader::Fill(uint64_t offset, uint64_t bytes) {
  if (offset >= buffer_offset_ && offset + bytes <= buffer_offset_ + buffer_size_) {
    return Status::Ok();
  }
  const uint64_t ahead = access_ == Access::kSequential ? kReadChunkBytes : kRandomReadBytes;
  const uint64_t want = std::min(std::max(bytes, ahead), limit_bytes_ - offset);
  if (want > buffer_capacity_) {
    buffer_.reset();  // the old bytes are not needed: free them before taking the new block
    buffer_.reset(new char[want]);
    buffer_capacity_ = want;
  }
  buffer_offset_ = offset;
  buffer_size_ = 0;
  uint64_t done = 0;
  while (done < want) {
    const ssize_t got =
        ::pread(fd_.get(), buffer_.get() + done, want - done, static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return ErrnoStatus("read", path_);
    if (got == 0) break;  // the file was cut shorter than the limit (only by an outside hand)
    done += static_cast<uint64_t>(got);
  }
  buffer_size_ = done;
  if (done < bytes) {
    return DataLossError(fmt::format("{} is shorter than expected: {} bytes missing at offset {}",
                                     path_, bytes - done, offset + done));
  }
  return Status::Ok();
}

Result<BatchRead> SegmentReader::ReadAt(uint64_t offset, bool with_payload) {
  BatchRead read;
  if (offset >= limit_bytes_) return read;  // kEnd
  read.outcome = BatchRead::Outcome::kBad;
  const uint64_t left = limit_bytes_ - offset;
  if (left < kBatchHeaderBytes) {
    read.reason = fmt::format("incomplete batch header: file ends {} bytes in", left);
    return read;
  }
  RETURN_IF_ERROR(Fill(offset, kBatchHeaderBytes));
  Result<BatchHeader> header = DecodeBatchHeader({At(offset), kBatchHeaderBytes});
  if (!header.ok()) {
    read.reason = header.status().message();
    return read;
  }
  if (header->batch_bytes > left) {
    read.reason = fmt::format("incomplete batch: {} bytes long but the file ends {} bytes in",
                              header->batch_bytes, left);
    return read;
  }
  read.header = *header;
  if (with_payload) {
    RETURN_IF_ERROR(Fill(offset, header->batch_bytes));
    read.payload = std::string_view(reinterpret_cast<const char*>(At(offset + kBatchHeaderBytes)),
                                    header->batch_bytes - kBatchHeaderBytes);
    const Status verified = VerifyBatchPayload(*header, read.payload);
    if (!verified.ok()) {
      read.reason = verified.message();
      read.payload = {};
      return read;
    }
  }
  read.outcome = BatchRead::Outcome::kBatch;
  return read;
}

Result<std::optional<uint64_t>> SegmentReader::FindNextValidBatch(uint64_t from) {
  uint64_t position = from;
  while (position + kBatchHeaderBytes <= limit_bytes_) {
    RETURN_IF_ERROR(Fill(position, std::min(kReadChunkBytes, limit_bytes_ - position)));
    const uint64_t buffered_end = buffer_offset_ + buffer_size_;
    const auto* begin = reinterpret_cast<const char*>(At(position));
    const void* hit = ::memmem(begin, buffered_end - position, kBatchMagic, sizeof(kBatchMagic));
    if (hit == nullptr) {
      // Keep the last three bytes: a magic may straddle the chunk boundary.
      position = std::max(position + 1, buffered_end - (sizeof(kBatchMagic) - 1));
      if (buffered_end == limit_bytes_) break;
      continue;
    }
    const uint64_t candidate =
        position + static_cast<uint64_t>(static_cast<const char*>(hit) - begin);
    ASSIGN_OR_RETURN(const BatchRead read, ReadAt(candidate));
    if (read.outcome == BatchRead::Outcome::kBatch) return std::optional<uint64_t>(candidate);
    position = candidate + 1;
  }
  return std::optional<uint64_t>();
}

}  // namespace banyan::events::internal
