// MessageIdDedup throughput: Reserve + Commit of 100 fresh keys per call (the ingest pattern), and
// memory per key at a given table size.

#include <benchmark/benchmark.h>

#include <fmt/format.h>

#include "events/dedup.h"

namespace banyan::events {
namespace {

constexpr size_t kKeysPerCall = 100;
const Timestamp kNow = FromUnixMicros(1'767'225'600'000'000);

void BM_DedupReserveCommit(benchmark::State& state) {
  static MessageIdDedup* dedup = nullptr;
  static SeededRandom* random = nullptr;
  if (state.thread_index() == 0) {
    random = new SeededRandom(1);
    dedup = new MessageIdDedup({}, *random);
  }
  uint64_t counter = 0;
  std::vector<std::string> ids(kKeysPerCall);
  std::vector<MessageIdKey> keys(kKeysPerCall);
  for (auto _ : state) {
    for (size_t i = 0; i < kKeysPerCall; ++i) {
      ids[i] = fmt::format("{}-{:016x}-{}", state.thread_index(), counter++, i);
      keys[i] = {"write-key-source-1", ids[i]};
    }
    MessageIdReservation reservation = dedup->Reserve(keys, kNow);
    reservation.Commit();
  }
  state.counters["keys_per_second"] = benchmark::Counter(
      static_cast<double>(state.iterations() * kKeysPerCall), benchmark::Counter::kIsRate);
  if (state.thread_index() == 0) {
    const MessageIdDedupStats stats = dedup->Stats();
    state.counters["bytes_per_key"] =
        static_cast<double>(stats.memory_bytes) / static_cast<double>(stats.entries);
    delete dedup;
    delete random;
  }
}
BENCHMARK(BM_DedupReserveCommit)->Threads(1)->Threads(2)->UseRealTime();

// Memory per key after inserting range(0) keys.
void BM_DedupMemory(benchmark::State& state) {
  for (auto _ : state) {
    SeededRandom random(2);
    MessageIdDedup dedup({}, random);
    const int64_t keys = state.range(0);
    for (int64_t i = 0; i < keys; ++i) {
      const std::string id = fmt::format("m{}", i);
      dedup.InsertForRebuild({"source", id}, kNow);
    }
    const MessageIdDedupStats stats = dedup.Stats();
    state.counters["bytes_per_key"] =
        static_cast<double>(stats.memory_bytes) / static_cast<double>(stats.entries);
  }
}
BENCHMARK(BM_DedupMemory)
    ->Arg(1'000'000)
    ->Arg(3'000'000)
    ->Arg(5'000'000)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace banyan::events
