#include "events/internal/log_format.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/encoding.h"

namespace banyan::events::internal {
namespace {

// 2026-01-01T00:00:00Z.
const Timestamp kReceivedAt = FromUnixMicros(1'767'225'600'000'000);

std::string SealedBatch(const std::vector<std::string>& records, uint64_t first_sequence) {
  std::string batch = EncodeUnsealedBatch(records, kReceivedAt);
  SealBatch(batch, first_sequence);
  return batch;
}

std::span<const uint8_t> Bytes(const std::string& s) { return AsBytes(s); }

std::string_view Payload(const std::string& batch) {
  return std::string_view(batch).substr(kBatchHeaderBytes);
}

TEST(LogFormat, RoundTripsHeaderAndRecords) {
  const std::vector<std::string> records = {"first", "", std::string(1000, 'x'), "last"};
  const std::string batch = SealedBatch(records, 77);
  ASSERT_EQ(batch.size(), EncodedBatchBytes(records));

  Result<BatchHeader> header = DecodeBatchHeader(Bytes(batch));
  ASSERT_TRUE(header.ok()) << header.status().ToString();
  EXPECT_EQ(header->batch_bytes, batch.size());
  EXPECT_EQ(header->record_count, 4u);
  EXPECT_EQ(header->first_sequence, 77u);
  EXPECT_EQ(header->end_sequence(), 81u);
  EXPECT_EQ(header->received_at, kReceivedAt);
  ASSERT_TRUE(VerifyBatchPayload(*header, Payload(batch)).ok());

  std::vector<std::string> decoded;
  ForEachRecord(Payload(batch), [&](uint32_t index, std::string_view record) {
    EXPECT_EQ(index, decoded.size());
    decoded.emplace_back(record);
  });
  EXPECT_EQ(decoded, records);
}

// The example in docs/formats/event_log.md; if this changes, the document must change with it.
TEST(LogFormat, MatchesTheDocumentedExampleByteForByte) {
  const std::string batch = SealedBatch({R"({"a":1})", R"({"b":2})"}, 1000);
  EXPECT_EQ(HexEncode(Bytes(batch)),
            "9b4c4f47"  // magic
            "01"
            "00"
            "0000"              // version, codec, flags
            "3e000000"          // batch_bytes = 62
            "02000000"          // record_count = 2
            "e803000000000000"  // first_sequence = 1000
            "0040204648470600"  // received_at = 1767225600000000 us
            "1f10e8f6"          // payload_crc
            "727004f1"          // header_crc
            "07000000"
            "7b2261223a317d"  // record 1000: {"a":1}
            "07000000"
            "7b2262223a327d");  // record 1001: {"b":2}
}

TEST(LogFormat, DetectsEveryFlippedBit) {
  const std::string batch = SealedBatch({"abc", "defgh"}, 5);
  for (size_t bit = 0; bit < batch.size() * 8; ++bit) {
    std::string damaged = batch;
    damaged[bit / 8] = static_cast<char>(damaged[bit / 8] ^ (1 << (bit % 8)));
    Result<BatchHeader> header = DecodeBatchHeader(Bytes(damaged));
    if (!header.ok()) continue;
    ASSERT_EQ(header->batch_bytes, batch.size()) << "bit " << bit;
    EXPECT_FALSE(VerifyBatchPayload(*header, Payload(damaged)).ok()) << "bit " << bit;
  }
}

TEST(LogFormat, RejectsAnUnsealedBatch) {
  const std::string batch = EncodeUnsealedBatch({{"abc"}}, kReceivedAt);
  Result<BatchHeader> header = DecodeBatchHeader(Bytes(batch));
  ASSERT_FALSE(header.ok());
  EXPECT_EQ(header.status().message(), "header checksum mismatch");
}

TEST(LogFormat, RejectsBadMagic) {
  std::string batch = SealedBatch({"abc"}, 0);
  batch[0] = 'X';
  Result<BatchHeader> header = DecodeBatchHeader(Bytes(batch));
  ASSERT_FALSE(header.ok());
  EXPECT_EQ(header.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(header.status().message(), "bad magic");
}

}  // namespace
}  // namespace banyan::events::internal
