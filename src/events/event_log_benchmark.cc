// Append throughput of the event log with fsync on: 300-byte records in appends of 100.
//
//   BM_AppendAndWait/threads:N  N callers each waiting for their append (group commit merges them)
//   BM_AppendPipelined/W        one caller keeping W appends in flight through callbacks
//
// Counters: records_per_second, and disk_bytes_per_record (segment bytes / records).

#include <benchmark/benchmark.h>

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "events/event_log.h"
#include "events/internal/log_testing.h"

namespace banyan::events {
namespace {

constexpr size_t kRecordBytes = 300;
constexpr size_t kRecordsPerAppend = 100;

std::vector<std::string> MakeAppend() {
  std::vector<std::string> records;
  for (size_t i = 0; i < kRecordsPerAppend; ++i) {
    records.push_back(std::string(kRecordBytes, static_cast<char>('a' + i % 26)));
  }
  return records;
}

struct Shared {
  std::unique_ptr<testing::TempDir> dir;
  std::unique_ptr<EventLog> log;
};
Shared shared;

void ReportCounters(benchmark::State& state, const EventLog& log) {
  const EventLogStats stats = log.Stats();
  state.counters["records_per_second"] =
      benchmark::Counter(static_cast<double>(stats.records), benchmark::Counter::kIsRate);
  state.counters["disk_bytes_per_record"] =
      static_cast<double>(stats.bytes) / static_cast<double>(std::max<uint64_t>(1, stats.records));
  state.counters["appends_per_fsync"] =
      static_cast<double>(stats.appends_committed) /
      static_cast<double>(std::max<uint64_t>(1, stats.groups_committed));
}

void BM_AppendAndWait(benchmark::State& state) {
  if (state.thread_index() == 0) {
    shared.dir = std::make_unique<testing::TempDir>();
    shared.log = EventLog::Open({.dir = shared.dir->Sub("events")}, SystemClock::Get()).value();
  }
  const std::vector<std::string> append = MakeAppend();
  for (auto _ : state) {
    Result<SequenceRange> range = shared.log->AppendAndWait(append, SystemClock::Get().Now());
    if (!range.ok()) state.SkipWithError(range.status().ToString().c_str());
  }
  if (state.thread_index() == 0) {
    ReportCounters(state, *shared.log);
    shared.log.reset();
    shared.dir.reset();
  }
}
BENCHMARK(BM_AppendAndWait)->Threads(1)->Threads(4)->Threads(16)->UseRealTime();

void BM_AppendPipelined(benchmark::State& state) {
  testing::TempDir dir;
  auto log = EventLog::Open({.dir = dir.Sub("events")}, SystemClock::Get()).value();
  const std::vector<std::string> append = MakeAppend();
  const int64_t window = state.range(0);
  std::mutex mutex;
  std::condition_variable acknowledged;
  int64_t in_flight = 0;
  for (auto _ : state) {
    std::unique_lock lock(mutex);
    acknowledged.wait(lock, [&] { return in_flight < window; });
    ++in_flight;
    lock.unlock();
    const Status status = log->Append(append, SystemClock::Get().Now(), [&](Result<SequenceRange>) {
      std::lock_guard done_lock(mutex);
      --in_flight;
      acknowledged.notify_one();
    });
    if (!status.ok()) state.SkipWithError(status.ToString().c_str());
  }
  std::unique_lock lock(mutex);
  acknowledged.wait(lock, [&] { return in_flight == 0; });
  ReportCounters(state, *log);
}
BENCHMARK(BM_AppendPipelined)->Arg(8)->Arg(64)->UseRealTime();

}  // namespace
}  // namespace banyan::events
