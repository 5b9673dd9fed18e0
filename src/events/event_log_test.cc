#include "events/event_log.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <thread>

#include "base/testing/manual_clock.h"
#include "events/internal/log_directory.h"
#include "events/internal/log_reader.h"
#include "events/internal/log_testing.h"

namespace banyan::events {
namespace {

using testing::FaultyFileSystem;
using testing::TempDir;

const Timestamp kStart = FromUnixMicros(1'767'225'600'000'000);  // 2026-01-01T00:00:00Z

struct ScannedRecord {
  uint64_t sequence;
  Timestamp received_at;
  std::string record;
};

std::vector<ScannedRecord> ScanAll(const EventLog& log, uint64_t from = 0) {
  std::vector<ScannedRecord> out;
  Result<uint64_t> next = log.Scan(from, [&](uint64_t sequence, Timestamp at, std::string_view r) {
    out.push_back({sequence, at, std::string(r)});
    return Status::Ok();
  });
  CHECK(next.ok(), "{}", next.status().ToString());
  return out;
}

std::unique_ptr<EventLog> OpenOrDie(EventLogOptions options, const Clock& clock) {
  Result<std::unique_ptr<EventLog>> log = EventLog::Open(std::move(options), clock);
  CHECK(log.ok(), "{}", log.status().ToString());
  return std::move(log).value();
}

std::string RecordFor(int thread, int index) {
  return fmt::format("thread {} append {} {}", thread, index, std::string(index % 50, '.'));
}

class EventLogTest : public ::testing::Test {
 protected:
  EventLogOptions Options() const { return {.dir = dir_.Sub("events")}; }
  TempDir dir_;
  banyan::testing::ManualClock clock_{kStart};
};

TEST_F(EventLogTest, ScanReturnsWhatWasAppended) {
  auto log = OpenOrDie(Options(), clock_);
  ASSERT_EQ(log->AppendAndWait({"a", "b"}, kStart).value(), (SequenceRange{0, 2}));
  ASSERT_EQ(log->AppendAndWait({"c"}, kStart + Micros(5)).value(), (SequenceRange{2, 1}));

  const std::vector<ScannedRecord> all = ScanAll(*log);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].record, "a");
  EXPECT_EQ(all[1].record, "b");
  EXPECT_EQ(all[2].record, "c");
  EXPECT_EQ(all[2].sequence, 2u);
  EXPECT_EQ(all[0].received_at, kStart);
  EXPECT_EQ(all[2].received_at, kStart + Micros(5));
  EXPECT_EQ(ScanAll(*log, 1).front().record, "b");
  EXPECT_EQ(log->NextSequence(), 3u);
}

std::vector<std::string> ReadAll(const EventLog& log, std::vector<uint64_t> sequences) {
  std::vector<std::string> out;
  const Status status = log.Read(sequences, [&](uint64_t sequence, Timestamp, std::string_view r) {
    out.push_back(fmt::format("{}={}", sequence, r));
    return Status::Ok();
  });
  CHECK(status.ok(), "{}", status.ToString());
  return out;
}

TEST_F(EventLogTest, ReadFetchesRecordsBySequenceAcrossSegmentsAndAfterReopen) {
  EventLogOptions options = Options();
  options.segment_bytes_max = 200;  // a few batches per segment
  {
    auto log = OpenOrDie(options, clock_);
    for (int i = 0; i < 30; ++i) {
      ASSERT_TRUE(log->AppendAndWait({RecordFor(0, 3 * i), RecordFor(0, 3 * i + 1)}, kStart).ok());
    }
    ASSERT_GT(log->Stats().segments, 3u);
    EXPECT_EQ(ReadAll(*log, {59, 0, 31, 30, 999}),
              (std::vector<std::string>{"59=" + RecordFor(0, 88), "0=" + RecordFor(0, 0),
                                        "31=" + RecordFor(0, 46), "30=" + RecordFor(0, 45)}));
  }
  auto reopened = OpenOrDie(options, clock_);  // the batch index now comes from recovery
  EXPECT_EQ(ReadAll(*reopened, {1, 58}),
            (std::vector<std::string>{"1=" + RecordFor(0, 1), "58=" + RecordFor(0, 87)}));
}

TEST_F(EventLogTest, ScanStopsAfterRecordsMaxAndSaysWhereToResume) {
  auto log = OpenOrDie(Options(), clock_);
  ASSERT_TRUE(log->AppendAndWait({"a", "b", "c"}, kStart).ok());
  std::vector<std::string> seen;
  auto collect = [&](uint64_t, Timestamp, std::string_view r) {
    seen.emplace_back(r);
    return Status::Ok();
  };
  EXPECT_EQ(log->Scan(0, collect, 2).value(), 2u);
  EXPECT_EQ(log->Scan(2, collect, 2).value(), 3u);
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(log->Scan(0, [](auto...) { return AbortedError("stop"); }).status().code(),
            StatusCode::kAborted);
}

TEST_F(EventLogTest, ReopenKeepsRecordsAndContinuesTheSequence) {
  {
    auto log = OpenOrDie(Options(), clock_);
    ASSERT_TRUE(log->AppendAndWait({"a", "b"}, kStart).ok());
  }
  auto log = OpenOrDie(Options(), clock_);
  EXPECT_EQ(log->NextSequence(), 2u);
  EXPECT_EQ(log->AppendAndWait({"c"}, kStart).value(), (SequenceRange{2, 1}));
  EXPECT_EQ(ScanAll(*log).size(), 3u);
}

TEST_F(EventLogTest, SecondOpenOfTheSameDirectoryFails) {
  auto log = OpenOrDie(Options(), clock_);
  Result<std::unique_ptr<EventLog>> second = EventLog::Open(Options(), clock_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(EventLogTest, RejectsEmptyAndOversizedAppends) {
  EventLogOptions options = Options();
  options.queue_bytes_max = 1000;
  auto log = OpenOrDie(options, clock_);
  EXPECT_EQ(log->AppendAndWait({}, kStart).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(log->AppendAndWait({std::string(2000, 'x')}, kStart).status().code(),
            StatusCode::kTooLarge);
  EXPECT_TRUE(log->AppendAndWait({std::string(500, 'x')}, kStart).ok());
}

TEST_F(EventLogTest, ConcurrentAppendsAreAllAcknowledgedWithDenseSequences) {
  constexpr int kThreads = 8;
  constexpr int kAppendsPerThread = 150;
  auto log = OpenOrDie(Options(), clock_);
  std::mutex mutex;
  std::map<uint64_t, std::pair<SequenceRange, std::vector<std::string>>> acked;  // by first
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kAppendsPerThread; ++i) {
        std::vector<std::string> records(1 + i % 3, RecordFor(t, i));
        Result<SequenceRange> range = log->AppendAndWait(records, kStart);
        ASSERT_TRUE(range.ok()) << range.status().ToString();
        std::lock_guard lock(mutex);
        acked[range->first] = {*range, records};
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  uint64_t expected_first = 0;
  for (const auto& [first, entry] : acked) {
    ASSERT_EQ(first, expected_first);
    ASSERT_EQ(entry.first.count, entry.second.size());
    expected_first = entry.first.end();
  }
  const std::vector<ScannedRecord> all = ScanAll(*log);
  ASSERT_EQ(all.size(), expected_first);
  for (const auto& [first, entry] : acked) {
    for (uint64_t i = 0; i < entry.first.count; ++i) {
      ASSERT_EQ(all[first + i].sequence, first + i);
      ASSERT_EQ(all[first + i].record, entry.second[i]);
    }
  }
  const EventLogStats stats = log->Stats();
  EXPECT_EQ(stats.appends_committed, uint64_t{kThreads} * kAppendsPerThread);
  EXPECT_EQ(stats.records, expected_first);
  EXPECT_LE(stats.groups_committed, stats.appends_committed);
}

TEST_F(EventLogTest, ScansWhileAppendingSeeOnlyADensePrefixOfAcknowledgedRecords) {
  auto log = OpenOrDie(Options(), clock_);
  std::atomic<bool> done{false};
  std::atomic<uint64_t> acknowledged{0};
  std::thread writer([&] {
    for (int i = 0; i < 400; ++i) {
      const uint64_t end = log->AppendAndWait({RecordFor(0, i)}, kStart).value().end();
      acknowledged.store(end);
    }
    done = true;
  });
  int scans = 0;
  while (!done.load()) {
    const uint64_t acked_before = acknowledged.load();
    const std::vector<ScannedRecord> all = ScanAll(*log);
    ASSERT_GE(all.size(), acked_before);
    for (size_t i = 0; i < all.size(); ++i) {
      ASSERT_EQ(all[i].sequence, i);
      ASSERT_EQ(all[i].record, RecordFor(0, static_cast<int>(i)));
    }
    ++scans;
  }
  writer.join();
  EXPECT_GT(scans, 0);
}

TEST_F(EventLogTest, RollsSegmentsAtTheSizeLimitAndNamesThemByFirstSequence) {
  EventLogOptions options = Options();
  options.segment_bytes_max = 1024;
  {
    auto log = OpenOrDie(options, clock_);
    for (int i = 0; i < 60; ++i) {
      ASSERT_TRUE(log->AppendAndWait({RecordFor(1, i), "x"}, kStart).ok());
    }
    EXPECT_GT(log->Stats().segments, 3u);
  }
  Result<std::vector<internal::SegmentFile>> files = internal::ListSegments(options.dir);
  ASSERT_TRUE(files.ok());
  ASSERT_GT(files->size(), 3u);
  uint64_t expected_first = 0;
  for (const internal::SegmentFile& file : *files) {
    EXPECT_LE(std::filesystem::file_size(file.path), options.segment_bytes_max);
    auto reader = internal::SegmentReader::Open(file.path).value();
    uint64_t offset = 0;
    for (;;) {
      const internal::BatchRead read = reader->ReadAt(offset).value();
      if (read.outcome == internal::BatchRead::Outcome::kEnd) break;
      ASSERT_EQ(read.outcome, internal::BatchRead::Outcome::kBatch) << read.reason;
      if (offset == 0) {
        EXPECT_EQ(read.header.first_sequence, file.base_sequence);
      }
      EXPECT_EQ(read.header.first_sequence, expected_first);
      expected_first = read.header.end_sequence();
      offset += read.header.batch_bytes;
    }
  }
  EXPECT_EQ(expected_first, 120u);
  auto log = OpenOrDie(options, clock_);
  EXPECT_EQ(ScanAll(*log).size(), 120u);
  EXPECT_EQ(ScanAll(*log, 101).front().sequence, 101u);
}

TEST_F(EventLogTest, RetentionDeletesSegmentsOlderThanTheMaximumAge) {
  EventLogOptions options = Options();
  options.segment_bytes_max = 200;
  options.retention_age = std::chrono::hours(24);
  auto log = OpenOrDie(options, clock_);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(log->AppendAndWait({RecordFor(2, i)}, clock_.Now()).ok());
    clock_.Advance(std::chrono::hours(2));
  }
  const EventLogStats before = log->Stats();
  ASSERT_GT(before.segments, 4u);

  const RetentionReport report = log->ApplyRetention().value();
  EXPECT_GT(report.segments_deleted, 0u);
  const EventLogStats after = log->Stats();
  EXPECT_EQ(after.segments, before.segments - report.segments_deleted);
  EXPECT_EQ(after.records, before.records - report.records_deleted);
  const std::vector<ScannedRecord> kept = ScanAll(*log);
  ASSERT_FALSE(kept.empty());
  EXPECT_EQ(kept.front().sequence, after.first_sequence);
  // Every deleted record is older than a day; the oldest kept segment has one younger than that.
  EXPECT_GE(kept.back().received_at, clock_.Now() - options.retention_age);
  EXPECT_GT(after.first_sequence, 0u);

  clock_.Advance(std::chrono::hours(24 * 30));
  log->ApplyRetention().value();
  EXPECT_EQ(log->Stats().segments, 1u) << "the segment being written is never deleted";
  EXPECT_TRUE(log->AppendAndWait({"after"}, clock_.Now()).ok());
}

TEST_F(EventLogTest, RetentionDeletesOldestSegmentsWhileOverTheSizeLimit) {
  EventLogOptions options = Options();
  options.segment_bytes_max = 512;
  options.retention_bytes = 2048;
  auto log = OpenOrDie(options, clock_);
  for (int i = 0; i < 60; ++i) ASSERT_TRUE(log->AppendAndWait({RecordFor(3, i)}, kStart).ok());
  ASSERT_GT(log->Stats().bytes, options.retention_bytes);

  const RetentionReport report = log->ApplyRetention().value();
  EXPECT_GT(report.segments_deleted, 0u);
  const EventLogStats after = log->Stats();
  EXPECT_LE(after.bytes, options.retention_bytes);
  EXPECT_GT(after.bytes + 512, options.retention_bytes) << "deleted more than needed";
  const std::vector<ScannedRecord> kept = ScanAll(*log);
  EXPECT_EQ(kept.size(), after.records);
  EXPECT_EQ(kept.back().sequence, 59u);
  log.reset();
  EXPECT_EQ(OpenOrDie(options, clock_)->Stats().first_sequence, after.first_sequence);
}

TEST_F(EventLogTest, FullQueueFailsFastWithResourceExhausted) {
  FaultyFileSystem file_system;
  EventLogOptions options = Options();
  options.file_system = &file_system;
  options.queue_appends_max = 3;
  auto log = OpenOrDie(options, clock_);
  file_system.HoldSyncs();
  std::atomic<int> acknowledged{0};
  auto count = [&](Result<SequenceRange> r) {
    EXPECT_TRUE(r.ok());
    ++acknowledged;
  };
  ASSERT_TRUE(log->Append({"1"}, kStart, count).ok());
  while (file_system.syncs_started.load() == 0) std::this_thread::yield();  // writer is on disk
  ASSERT_TRUE(log->Append({"2"}, kStart, count).ok());
  ASSERT_TRUE(log->Append({"3"}, kStart, count).ok());
  const Status full = log->Append({"4"}, kStart, count);
  EXPECT_EQ(full.code(), StatusCode::kResourceExhausted) << full.ToString();
  EXPECT_EQ(log->Stats().queued_appends, 3u);

  file_system.ReleaseSyncs();
  while (acknowledged.load() < 3) std::this_thread::yield();
  EXPECT_EQ(log->AppendAndWait({"5"}, kStart).value(), (SequenceRange{3, 1}));
}

TEST_F(EventLogTest, FullQueueByBytesFailsFast) {
  FaultyFileSystem file_system;
  EventLogOptions options = Options();
  options.file_system = &file_system;
  options.queue_bytes_max = 300;
  auto log = OpenOrDie(options, clock_);
  file_system.HoldSyncs();
  ASSERT_TRUE(log->Append({std::string(200, 'a')}, kStart, [](auto) {}).ok());
  EXPECT_EQ(log->Append({std::string(200, 'b')}, kStart, [](auto) {}).code(),
            StatusCode::kResourceExhausted);
  file_system.ReleaseSyncs();
}

TEST_F(EventLogTest, FailedSyncFailsTheGroupAndEveryLaterAppend) {
  FaultyFileSystem file_system;
  EventLogOptions options = Options();
  options.file_system = &file_system;
  {
    auto log = OpenOrDie(options, clock_);
    ASSERT_TRUE(log->AppendAndWait({"kept"}, kStart).ok());
    file_system.fail_next_sync = true;
    Result<SequenceRange> failed = log->AppendAndWait({"lost"}, kStart);
    EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable);
    EXPECT_TRUE(log->Stats().failed);
    // The next sync would succeed, but a log that failed a sync never acknowledges again.
    EXPECT_EQ(log->AppendAndWait({"later"}, kStart).status().code(), StatusCode::kUnavailable);
    EXPECT_EQ(log->NextSequence(), 1u);
  }
  auto log = OpenOrDie(Options(), clock_);
  const std::vector<ScannedRecord> all = ScanAll(*log);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].record, "kept");
  EXPECT_EQ(log->AppendAndWait({"again"}, kStart).value(), (SequenceRange{1, 1}));
}

TEST_F(EventLogTest, PartlyWrittenGroupIsGoneAfterRestartEvenIfTruncateFails) {
  FaultyFileSystem file_system;
  EventLogOptions options = Options();
  options.file_system = &file_system;
  {
    auto log = OpenOrDie(options, clock_);
    ASSERT_TRUE(log->AppendAndWait({"kept"}, kStart).ok());
    file_system.fail_next_append = true;
    file_system.partial_append_bytes = 30;
    file_system.fail_truncate = true;
    EXPECT_EQ(log->AppendAndWait({"torn record"}, kStart).status().code(),
              StatusCode::kUnavailable);
  }
  auto log = OpenOrDie(Options(), clock_);
  const std::vector<ScannedRecord> all = ScanAll(*log);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].record, "kept");
  EXPECT_TRUE(std::filesystem::exists(dir_.Sub("events/quarantine")));
}

TEST_F(EventLogTest, DestructionAcknowledgesEverythingAccepted) {
  std::atomic<int> acknowledged{0};
  {
    auto log = OpenOrDie(Options(), clock_);
    for (int i = 0; i < 50; ++i) {
      ASSERT_TRUE(log->Append({RecordFor(4, i)}, kStart,
                              [&](Result<SequenceRange> r) {
                                EXPECT_TRUE(r.ok());
                                ++acknowledged;
                              })
                      .ok());
    }
  }
  EXPECT_EQ(acknowledged.load(), 50);
  EXPECT_EQ(ScanAll(*OpenOrDie(Options(), clock_)).size(), 50u);
}

}  // namespace
}  // namespace banyan::events
