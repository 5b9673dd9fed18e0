// The byte layout of one record batch in an event-log segment, and the code that writes and
// checks it. docs/formats/event_log.md is the specification; this file implements it.
//
//   offset size field
//        0    4 magic            9B 4C 4F 47
//        4    1 version          1
//        5    1 codec            0 = records stored as they are; other values reserved
//        6    2 flags            0; reserved
//        8    4 batch_bytes      whole batch, header included
//       12    4 record_count     >= 1
//       16    8 first_sequence   sequence number of the first record
//       24    8 received_at      UTC microseconds, shared by every record of the batch
//       32    4 payload_crc      CRC32C of bytes [40, batch_bytes)
//       36    4 header_crc       CRC32C of bytes [0, 36)
//       40      payload          record_count x (u32 length, length bytes)
// All integers are little-endian. A batch holds the records of exactly one append.
//
// Used by the event log's writer, reader, recovery and repair.
// Thread safety: pure functions, safe from any thread.

#ifndef BANYAN_EVENTS_INTERNAL_LOG_FORMAT_H_
#define BANYAN_EVENTS_INTERNAL_LOG_FORMAT_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"

namespace banyan::events::internal {

inline constexpr uint8_t kBatchMagic[4] = {0x9B, 0x4C, 0x4F, 0x47};
inline constexpr uint8_t kFormatVersion = 1;
inline constexpr uint8_t kCodecNone = 0;
inline constexpr size_t kBatchHeaderBytes = 40;
inline constexpr size_t kRecordLengthBytes = 4;
// The largest batch, so one corrupt length can never make a reader allocate without bound.
inline constexpr uint64_t kBatchBytesMax = 64ull << 20;

struct BatchHeader {
  uint32_t batch_bytes = 0;
  uint32_t record_count = 0;
  uint64_t first_sequence = 0;
  Timestamp received_at;
  uint32_t payload_crc = 0;

  uint64_t end_sequence() const { return first_sequence + record_count; }  // one past the last
};

// The encoded size of a batch holding `records`.
uint64_t EncodedBatchBytes(std::span<const std::string> records);

// Encodes `records` as a batch whose first_sequence is 0 and whose header_crc is not yet set;
// SealBatch finishes it once the writer has assigned its sequence number. Split this way so
// callers copy and checksum the payload on their own threads and the single writer thread only
// touches 40 header bytes.
// REQUIRES: !records.empty() && EncodedBatchBytes(records) <= kBatchBytesMax.
std::string EncodeUnsealedBatch(std::span<const std::string> records, Timestamp received_at);

// Writes `first_sequence` and the header CRC into a batch from EncodeUnsealedBatch.
void SealBatch(std::string& batch, uint64_t first_sequence);

// Decodes and checks the header at the start of `bytes` (at least kBatchHeaderBytes). Returns
// DataLoss with a short reason ("bad magic", "header checksum mismatch", ...) when it is not a
// valid header.
Result<BatchHeader> DecodeBatchHeader(std::span<const uint8_t> bytes);

// Checks the payload of a batch whose header decoded: checksum, then that the records exactly fill
// it. `payload` is bytes [kBatchHeaderBytes, batch_bytes) of the batch.
Status VerifyBatchPayload(const BatchHeader& header, std::string_view payload);

uint32_t LoadLittleEndian32(const uint8_t* p);

// Calls visit(index, record) for each record of a payload that passed VerifyBatchPayload.
template <typename Visit>
void ForEachRecord(std::string_view payload, Visit&& visit) {
  size_t offset = 0;
  for (uint32_t index = 0; offset < payload.size(); ++index) {
    const uint32_t length =
        LoadLittleEndian32(reinterpret_cast<const uint8_t*>(payload.data() + offset));
    visit(index, payload.substr(offset + kRecordLengthBytes, length));
    offset += kRecordLengthBytes + length;
  }
}

}  // namespace banyan::events::internal

#endif  // BANYAN_EVENTS_INTERNAL_LOG_FORMAT_H_
