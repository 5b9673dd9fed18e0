// Recovery at Open and RepairEventLog: torn tails, damage in the middle, damage in older segments.

#include <gtest/gtest.h>

#include <filesystem>

#include "events/event_log.h"
#include "events/event_log_repair.h"
#include "events/internal/log_directory.h"
#include "events/internal/log_format.h"
#include "events/internal/log_testing.h"

namespace banyan::events {
namespace {

using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

const Timestamp kStart = FromUnixMicros(1'767'225'600'000'000);

std::vector<std::vector<std::string>> ThreeAppends() {
  return {{"alpha", "beta"}, {"gamma", "delta", "epsilon"}, {"zeta", "eta"}};
}

std::vector<std::string> ScanAll(const EventLog& log) {
  std::vector<std::string> out;
  CHECK(log.Scan(0,
                 [&](uint64_t, Timestamp, std::string_view r) {
                   out.emplace_back(r);
                   return Status::Ok();
                 })
            .ok());
  return out;
}

std::vector<std::string> Flatten(const std::vector<std::vector<std::string>>& appends) {
  std::vector<std::string> out;
  for (const auto& append : appends) out.insert(out.end(), append.begin(), append.end());
  return out;
}

class RecoveryTest : public ::testing::Test {
 protected:
  std::string Dir() const { return dir_.Sub("events"); }
  std::string Segment(uint64_t base) const { return Dir() + "/" + internal::SegmentFileName(base); }
  Result<std::unique_ptr<EventLog>> Open(uint64_t segment_bytes_max = kSegmentBytesMaxDefault) {
    return EventLog::Open({.dir = Dir(), .segment_bytes_max = segment_bytes_max},
                          SystemClock::Get());
  }
  // Appends each batch; returns the byte offset where each batch starts (and the end).
  std::vector<uint64_t> Build(const std::vector<std::vector<std::string>>& appends) {
    std::vector<uint64_t> offsets = {0};
    auto log = Open().value();
    for (const auto& append : appends) {
      CHECK(log->AppendAndWait(append, kStart).ok());
      offsets.push_back(offsets.back() + internal::EncodedBatchBytes(append));
    }
    return offsets;
  }
  TempDir dir_;
};

TEST_F(RecoveryTest, TornTailAtEveryByteOfTheLastBatchIsCutOff) {
  const auto appends = ThreeAppends();
  const std::vector<uint64_t> offsets = Build(appends);
  const std::string whole = ReadFile(Segment(0));
  ASSERT_EQ(whole.size(), offsets.back());
  const std::vector<std::string> first_two = Flatten({appends[0], appends[1]});

  for (uint64_t cut = offsets[2]; cut < offsets[3]; ++cut) {
    WriteFile(Segment(0), std::string_view(whole).substr(0, cut));
    std::filesystem::remove_all(Dir() + "/quarantine");
    Result<std::unique_ptr<EventLog>> log = Open();
    ASSERT_TRUE(log.ok()) << "cut at " << cut << ": " << log.status().ToString();
    ASSERT_EQ(ScanAll(**log), first_two) << "cut at " << cut;
    ASSERT_EQ((*log)->NextSequence(), 5u);
    ASSERT_EQ(std::filesystem::file_size(Segment(0)), offsets[2]);
    if (cut > offsets[2]) {
      const std::string saved = ReadFile(
          fmt::format("{}/quarantine/{}.{}.torn", Dir(), internal::SegmentFileName(0), offsets[2]));
      ASSERT_EQ(saved, whole.substr(offsets[2], cut - offsets[2]));
    }
  }
  // After recovery the log appends where the cut left it.
  auto log = Open().value();
  EXPECT_EQ(log->AppendAndWait({"again"}, kStart).value(), (SequenceRange{5, 1}));
}

TEST_F(RecoveryTest, ZeroFilledTailIsCutOff) {
  // After a power cut some file systems keep the new size but not the data: zeros.
  const std::vector<uint64_t> offsets = Build(ThreeAppends());
  std::string bytes = ReadFile(Segment(0));
  std::fill(bytes.begin() + static_cast<ptrdiff_t>(offsets[2]), bytes.end(), '\0');
  bytes.append(4096, '\0');
  WriteFile(Segment(0), bytes);
  auto log = Open().value();
  EXPECT_EQ(ScanAll(*log).size(), 5u);
}

TEST_F(RecoveryTest, FlippedByteInTheMiddleRefusesToOpenThenRepairQuarantinesIt) {
  const auto appends = ThreeAppends();
  const std::vector<uint64_t> offsets = Build(appends);
  const std::string original = ReadFile(Segment(0));
  std::string damaged = original;
  damaged[offsets[1] + internal::kBatchHeaderBytes + 6] ^= 0x20;  // inside "gamma"
  WriteFile(Segment(0), damaged);

  Result<std::unique_ptr<EventLog>> refused = Open();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kDataLoss);
  const std::string& message = refused.status().message();
  EXPECT_NE(message.find(Segment(0)), std::string::npos) << message;
  EXPECT_NE(message.find(fmt::format("byte offset {}", offsets[1])), std::string::npos) << message;
  EXPECT_NE(message.find("banyan events repair"), std::string::npos) << message;

  const RepairReport report = RepairEventLog(Dir()).value();
  ASSERT_EQ(report.quarantined.size(), 1u) << report.Summary();
  EXPECT_EQ(report.quarantined[0].offset, offsets[1]);
  EXPECT_EQ(report.quarantined[0].bytes, offsets[2] - offsets[1]);
  EXPECT_EQ(report.bytes_quarantined, offsets[2] - offsets[1]);
  EXPECT_EQ(ReadFile(report.quarantined[0].quarantine_path),
            damaged.substr(offsets[1], offsets[2] - offsets[1]));
  ASSERT_EQ(report.sequence_gaps.size(), 1u);
  EXPECT_EQ(report.sequence_gaps[0].first, 2u);
  EXPECT_EQ(report.sequence_gaps[0].count, 3u);

  auto log = Open().value();
  EXPECT_EQ(ScanAll(*log), Flatten({appends[0], appends[2]}));
  std::vector<uint64_t> sequences;
  ASSERT_TRUE(log->Scan(0,
                        [&](uint64_t s, Timestamp, std::string_view) {
                          sequences.push_back(s);
                          return Status::Ok();
                        })
                  .ok());
  EXPECT_EQ(sequences, (std::vector<uint64_t>{0, 1, 5, 6}));
  EXPECT_EQ(log->Stats().sequence_gaps, 1u);
  EXPECT_EQ(log->AppendAndWait({"next"}, kStart).value(), (SequenceRange{7, 1}));
}

TEST_F(RecoveryTest, DamagedLengthFieldIsFoundByResynchronising) {
  const std::vector<uint64_t> offsets = Build(ThreeAppends());
  std::string bytes = ReadFile(Segment(0));
  bytes[offsets[1] + 9] ^= 0x7F;  // batch_bytes of the middle batch
  WriteFile(Segment(0), bytes);
  Result<std::unique_ptr<EventLog>> refused = Open();
  ASSERT_EQ(refused.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(
      refused.status().message().find(fmt::format("valid batch follows at offset {}", offsets[2])),
      std::string::npos)
      << refused.status().message();
  const RepairReport report = RepairEventLog(Dir()).value();
  ASSERT_EQ(report.quarantined.size(), 1u);
  EXPECT_EQ(report.quarantined[0].bytes, offsets[2] - offsets[1]);
  EXPECT_EQ(ScanAll(*Open().value()).size(), 4u);
}

TEST_F(RecoveryTest, DamageAtTheEndOfAnOlderSegmentIsNotATornWrite) {
  {
    auto log = Open(/*segment_bytes_max=*/200).value();
    for (int i = 0; i < 6; ++i)
      ASSERT_TRUE(log->AppendAndWait({std::string(60, 'a' + i)}, kStart).ok());
    ASSERT_GT(log->Stats().segments, 2u);
  }
  const std::string first = ReadFile(Segment(0));
  WriteFile(Segment(0), first.substr(0, first.size() - 3));

  Result<std::unique_ptr<EventLog>> refused = Open(200);
  ASSERT_EQ(refused.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(refused.status().message().find("a newer segment exists"), std::string::npos);

  const RepairReport report = RepairEventLog(Dir()).value();
  ASSERT_EQ(report.quarantined.size(), 1u) << report.Summary();
  ASSERT_EQ(report.sequence_gaps.size(), 1u) << report.Summary();
  auto log = Open(200).value();
  EXPECT_EQ(ScanAll(*log).size(), 6u - report.sequence_gaps[0].count);
  EXPECT_EQ(log->NextSequence(), 6u);
}

TEST_F(RecoveryTest, RepairOfAHealthyLogChangesNothing) {
  Build(ThreeAppends());
  const std::string before = ReadFile(Segment(0));
  const RepairReport report = RepairEventLog(Dir()).value();
  EXPECT_TRUE(report.quarantined.empty());
  EXPECT_TRUE(report.sequence_gaps.empty());
  EXPECT_EQ(report.segments_checked, 1u);
  EXPECT_EQ(ReadFile(Segment(0)), before);
}

TEST_F(RecoveryTest, RepairRefusesWhileTheLogIsOpen) {
  auto log = Open().value();
  EXPECT_EQ(RepairEventLog(Dir()).status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(RecoveryTest, ScanReportsDamageThatAppearsAfterOpen) {
  const std::vector<uint64_t> offsets = Build(ThreeAppends());
  auto log = Open().value();
  std::string bytes = ReadFile(Segment(0));
  bytes[offsets[1] + internal::kBatchHeaderBytes + 6] ^= 0x01;
  WriteFile(Segment(0), bytes);  // rewrites in place: the log's view of sizes stays valid
  Result<uint64_t> scanned = log->Scan(0, [](auto...) { return Status::Ok(); });
  ASSERT_EQ(scanned.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(scanned.status().message().find(fmt::format("offset {}", offsets[1])),
            std::string::npos);
}

}  // namespace
}  // namespace banyan::events
