#include "events/internal/log_format.h"

#include <fmt/format.h>

#include <cstring>

#include "base/check.h"
#include "events/crc32c.h"

namespace banyan::events::internal {
namespace {

constexpr size_t kMagicOffset = 0;
constexpr size_t kVersionOffset = 4;
constexpr size_t kCodecOffset = 5;
constexpr size_t kFlagsOffset = 6;
constexpr size_t kBatchBytesOffset = 8;
constexpr size_t kRecordCountOffset = 12;
constexpr size_t kFirstSequenceOffset = 16;
constexpr size_t kReceivedAtOffset = 24;
constexpr size_t kPayloadCrcOffset = 32;
constexpr size_t kHeaderCrcOffset = 36;
static_assert(kHeaderCrcOffset + 4 == kBatchHeaderBytes);

void StoreLittleEndian32(uint8_t* p, uint32_t value) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(value >> (8 * i));
}

void StoreLittleEndian64(uint8_t* p, uint64_t value) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(value >> (8 * i));
}

uint64_t LoadLittleEndian64(const uint8_t* p) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | p[i];
  return value;
}

uint8_t* MutableBytes(std::string& s) { return reinterpret_cast<uint8_t*>(s.data()); }

}  // namespace

uint32_t LoadLittleEndian32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

uint64_t EncodedBatchBytes(std::span<const std::string> records) {
  uint64_t bytes = kBatchHeaderBytes;
  for (const std::string& record : records) bytes += kRecordLengthBytes + record.size();
  return bytes;
}

std::string EncodeUnsealedBatch(std::span<const std::string> records, Timestamp received_at) {
  const uint64_t batch_bytes = EncodedBatchBytes(records);
  CHECK(!records.empty() && batch_bytes <= kBatchBytesMax, "{} records, {} bytes", records.size(),
        batch_bytes);
  std::string batch(batch_bytes, '\0');
  uint8_t* out = MutableBytes(batch);
  std::memcpy(out + kMagicOffset, kBatchMagic, sizeof(kBatchMagic));
  out[kVersionOffset] = kFormatVersion;
  out[kCodecOffset] = kCodecNone;
  StoreLittleEndian32(out + kBatchBytesOffset, static_cast<uint32_t>(batch_bytes));
  StoreLittleEndian32(out + kRecordCountOffset, static_cast<uint32_t>(records.size()));
  StoreLittleEndian64(out + kReceivedAtOffset, static_cast<uint64_t>(ToUnixMicros(received_at)));
  size_t offset = kBatchHeaderBytes;
  for (const std::string& record : records) {
    StoreLittleEndian32(out + offset, static_cast<uint32_t>(record.size()));
    std::memcpy(out + offset + kRecordLengthBytes, record.data(), record.size());
    offset += kRecordLengthBytes + record.size();
  }
  const std::span<const uint8_t> payload(out + kBatchHeaderBytes, batch_bytes - kBatchHeaderBytes);
  StoreLittleEndian32(out + kPayloadCrcOffset, Crc32c(payload));
  return batch;
}

void SealBatch(std::string& batch, uint64_t first_sequence) {
  CHECK(batch.size() >= kBatchHeaderBytes);
  uint8_t* out = MutableBytes(batch);
  StoreLittleEndian64(out + kFirstSequenceOffset, first_sequence);
  StoreLittleEndian32(out + kHeaderCrcOffset, Crc32c({out, kHeaderCrcOffset}));
}

Result<BatchHeader> DecodeBatchHeader(std::span<const uint8_t> bytes) {
  CHECK(bytes.size() >= kBatchHeaderBytes);
  const uint8_t* in = bytes.data();
  if (std::memcmp(in + kMagicOffset, kBatchMagic, sizeof(kBatchMagic)) != 0) {
    return DataLossError("bad magic");
  }
  if (Crc32c(bytes.first(kHeaderCrcOffset)) != LoadLittleEndian32(in + kHeaderCrcOffset)) {
    return DataLossError("header checksum mismatch");
  }
  // The checks below only fail for a header written by a newer or broken writer: the checksum
  // matched, so these are the bytes that were written.
  if (in[kVersionOffset] != kFormatVersion) {
    return DataLossError(fmt::format("unsupported format version {}", in[kVersionOffset]));
  }
  if (in[kCodecOffset] != kCodecNone) {
    return DataLossError(fmt::format("unsupported codec {}", in[kCodecOffset]));
  }
  if (in[kFlagsOffset] != 0 || in[kFlagsOffset + 1] != 0) {
    return DataLossError("reserved flags are set");
  }
  BatchHeader header;
  header.batch_bytes = LoadLittleEndian32(in + kBatchBytesOffset);
  header.record_count = LoadLittleEndian32(in + kRecordCountOffset);
  header.first_sequence = LoadLittleEndian64(in + kFirstSequenceOffset);
  header.received_at =
      FromUnixMicros(static_cast<int64_t>(LoadLittleEndian64(in + kReceivedAtOffset)));
  header.payload_crc = LoadLittleEndian32(in + kPayloadCrcOffset);
  const uint64_t smallest = kBatchHeaderBytes + uint64_t{header.record_count} * kRecordLengthBytes;
  if (header.record_count == 0 || header.batch_bytes < smallest ||
      header.batch_bytes > kBatchBytesMax) {
    return DataLossError(fmt::format("impossible batch of {} bytes holding {} records",
                                     header.batch_bytes, header.record_count));
  }
  return header;
}

Status VerifyBatchPayload(const BatchHeader& header, std::string_view payload) {
  CHECK(payload.size() + kBatchHeaderBytes == header.batch_bytes);
  if (Crc32c(payload) != header.payload_crc) return DataLossError("payload checksum mismatch");
  const auto* in = reinterpret_cast<const uint8_t*>(payload.data());
  uint64_t offset = 0;
  for (uint32_t i = 0; i < header.record_count; ++i) {
    if (payload.size() - offset < kRecordLengthBytes) {
      return DataLossError(fmt::format("record {} length runs past the batch", i));
    }
    offset += kRecordLengthBytes + uint64_t{LoadLittleEndian32(in + offset)};
    if (offset > payload.size()) {
      return DataLossError(fmt::format("record {} runs past the batch", i));
    }
  }
  if (offset != payload.size()) {
    return DataLossError(fmt::format("{} bytes after the last record", payload.size() - offset));
  }
  return Status::Ok();
}

}  // namespace banyan::events::internal
