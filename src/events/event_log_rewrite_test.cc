// EventLog::RewriteSealed and SealActiveSegment: records replaced in place of sequence, the file
// holding no trace of the old bytes, readers never seeing a mixture, crash leftovers removed.

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "base/testing/manual_clock.h"
#include "events/event_log.h"
#include "events/internal/log_testing.h"

namespace banyan::events {
namespace {

using testing::TempDir;

const Timestamp kStart = FromUnixMicros(1'767'225'600'000'000);  // 2026-01-01T00:00:00Z

std::unique_ptr<EventLog> OpenOrDie(EventLogOptions options, const Clock& clock) {
  Result<std::unique_ptr<EventLog>> log = EventLog::Open(std::move(options), clock);
  CHECK(log.ok(), "{}", log.status().ToString());
  return std::move(log).value();
}

// "sequence=record" for every record, in order.
std::vector<std::string> ScanAll(const EventLog& log) {
  std::vector<std::string> out;
  Result<uint64_t> next = log.Scan(0, [&](uint64_t sequence, Timestamp, std::string_view record) {
    out.push_back(fmt::format("{}={}", sequence, record));
    return Status::Ok();
  });
  CHECK(next.ok(), "{}", next.status().ToString());
  return out;
}

std::string AllSegmentBytes(const std::string& dir) {
  std::string bytes;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".log") bytes += testing::ReadFile(entry.path().string());
  }
  return bytes;
}

// Replaces "secret-N" records by "erased"; keeps the others.
Result<std::optional<std::string>> EraseSecrets(uint64_t, std::string_view record) {
  if (record.starts_with("secret-")) return std::optional<std::string>("erased");
  return std::optional<std::string>();
}

class EventLogRewriteTest : public ::testing::Test {
 protected:
  EventLogOptions Options() const {
    return {.dir = dir_.Sub("events"), .segment_bytes_max = 256};  // a few batches a segment
  }
  // 20 appends of two records; the second record of appends 0, 9 and 18 is a secret (so two of
  // the five segments hold none).
  void Fill(EventLog& log) {
    for (int i = 0; i < 20; ++i) {
      const std::string second = i % 9 == 0 ? fmt::format("secret-{}", i) : fmt::format("b{}", i);
      ASSERT_TRUE(log.AppendAndWait({fmt::format("a{}", i), second}, kStart + Micros(i)).ok());
    }
  }
  TempDir dir_;
  banyan::testing::ManualClock clock_{kStart};
};

TEST_F(EventLogRewriteTest, ReplacesRecordsKeepingSequencesAndReceivedAt) {
  auto log = OpenOrDie(Options(), clock_);
  Fill(*log);
  ASSERT_TRUE(log->SealActiveSegment().ok());
  const EventLogStats before = log->Stats();

  Result<RewriteReport> report = log->RewriteSealed(0, EraseSecrets);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->records_rewritten, 3u);
  EXPECT_GT(report->segments_rewritten, 0u);
  EXPECT_LT(report->segments_rewritten, report->segments_scanned);  // untouched ones stay
  EXPECT_LT(report->bytes_after, report->bytes_before);

  const std::vector<std::string> scanned = ScanAll(*log);
  ASSERT_EQ(scanned.size(), 40u);
  EXPECT_EQ(scanned[0], "0=a0");
  EXPECT_EQ(scanned[1], "1=erased");
  EXPECT_EQ(scanned[3], "3=b1");
  EXPECT_EQ(scanned[37], "37=erased");
  std::vector<std::string> read;
  ASSERT_TRUE(log->Read(std::vector<uint64_t>{37, 36, 1},
                        [&](uint64_t sequence, Timestamp at, std::string_view record) {
                          read.push_back(
                              fmt::format("{}={}@{}", sequence, record, (at - kStart).count()));
                          return Status::Ok();
                        })
                  .ok());
  EXPECT_EQ(read, (std::vector<std::string>{"37=erased@18", "36=a18@18", "1=erased@0"}));
  EXPECT_EQ(log->Stats().next_sequence, before.next_sequence);
  EXPECT_EQ(log->Stats().records, before.records);
  EXPECT_EQ(AllSegmentBytes(Options().dir).find("secret-"), std::string::npos);

  // Appends go on after the rewritten segments, and a reopened log recovers the new files.
  ASSERT_EQ(log->AppendAndWait({"later"}, kStart).value(), (SequenceRange{40, 1}));
  log.reset();
  auto reopened = OpenOrDie(Options(), clock_);
  const std::vector<std::string> again = ScanAll(*reopened);
  ASSERT_EQ(again.size(), 41u);
  EXPECT_EQ(again[1], "1=erased");
  EXPECT_EQ(again[40], "40=later");
}

TEST_F(EventLogRewriteTest, TheSegmentBeingWrittenWaitsUntilItIsSealed) {
  EventLogOptions options = Options();
  options.segment_bytes_max = 1 << 20;  // everything in one segment
  auto log = OpenOrDie(options, clock_);
  Fill(*log);
  Result<RewriteReport> report = log->RewriteSealed(0, EraseSecrets);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->segments_scanned, 0u);
  EXPECT_NE(AllSegmentBytes(options.dir).find("secret-"), std::string::npos);

  ASSERT_TRUE(log->SealActiveSegment().ok());
  EXPECT_EQ(log->Stats().segments, 2u);
  ASSERT_TRUE(log->SealActiveSegment().ok());  // the new one is empty: nothing to seal
  EXPECT_EQ(log->Stats().segments, 2u);
  report = log->RewriteSealed(0, EraseSecrets);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->records_rewritten, 3u);
  EXPECT_EQ(AllSegmentBytes(options.dir).find("secret-"), std::string::npos);
  // Asked again, there is nothing left to change and no file is written.
  report = log->RewriteSealed(0, EraseSecrets);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->segments_rewritten, 0u);
}

TEST_F(EventLogRewriteTest, AnErrorFromTheRewriterLeavesTheSegmentAsItWas) {
  auto log = OpenOrDie(Options(), clock_);
  Fill(*log);
  ASSERT_TRUE(log->SealActiveSegment().ok());
  Result<RewriteReport> report = log->RewriteSealed(0, [](uint64_t sequence, std::string_view) {
    if (sequence == 1) return Result<std::optional<std::string>>(std::string("changed"));
    return Result<std::optional<std::string>>(DataLossError("undecodable record"));
  });
  EXPECT_EQ(report.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(ScanAll(*log)[1], "1=secret-0");
  for (const auto& entry : std::filesystem::directory_iterator(Options().dir)) {
    EXPECT_FALSE(entry.path().string().ends_with(".rewrite")) << entry.path();
  }
}

TEST_F(EventLogRewriteTest, AnUnfinishedRewriteLeftByACrashIsRemovedAtOpen) {
  {
    auto log = OpenOrDie(Options(), clock_);
    Fill(*log);
  }
  const std::string leftover = Options().dir + "/00000000000000000000.log.rewrite";
  testing::WriteFile(leftover, "half a segment");
  auto log = OpenOrDie(Options(), clock_);
  EXPECT_FALSE(std::filesystem::exists(leftover));
  EXPECT_EQ(ScanAll(*log).size(), 40u);
}

// Readers running through repeated rewrites see, for each record, the old bytes or the new ones
// — never a failed read, a missing record or a record from the wrong offset.
TEST_F(EventLogRewriteTest, ReadersDuringRewritesSeeWholeRecords) {
  auto log = OpenOrDie(Options(), clock_);
  Fill(*log);
  ASSERT_TRUE(log->SealActiveSegment().ok());
  std::atomic<bool> done = false;
  std::atomic<int> bad = 0;
  std::thread reader([&] {
    std::vector<uint64_t> all(40);
    for (uint64_t i = 0; i < 40; ++i) all[i] = 39 - i;
    while (!done) {
      int seen = 0;
      const Status status =
          log->Read(all, [&](uint64_t sequence, Timestamp, std::string_view record) {
            const int append = static_cast<int>(sequence / 2);
            const bool ok = sequence % 2 == 0 ? record == fmt::format("a{}", append)
                            : append % 9 == 0
                                ? record.starts_with("secret-") || record.starts_with("erased")
                                : record == fmt::format("b{}", append);
            if (!ok) ++bad;
            ++seen;
            return Status::Ok();
          });
      if (!status.ok() || seen != 40) ++bad;
      if (ScanAll(*log).size() != 40) ++bad;
    }
  });
  for (int round = 0; round < 30; ++round) {
    // Alternate between two replacements of different lengths, so offsets move every time.
    const std::string replacement = round % 2 == 0 ? "erased" : "erased-again-longer";
    ASSERT_TRUE(log->RewriteSealed(0,
                                   [&](uint64_t, std::string_view record) {
                                     if (record.starts_with("secret-") ||
                                         record.starts_with("erased")) {
                                       return Result<std::optional<std::string>>(replacement);
                                     }
                                     return Result<std::optional<std::string>>(std::nullopt);
                                   })
                    .ok());
  }
  done = true;
  reader.join();
  EXPECT_EQ(bad.load(), 0);
}

}  // namespace
}  // namespace banyan::events
