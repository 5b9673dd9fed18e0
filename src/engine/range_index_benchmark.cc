// The two range index designs (internal/range_index.h) on one chunk of AUM-like values
// (log-normal, in fen), at selectivities from 0.1% to 50%: which to keep.
//
//   banyan_engine_benchmark --benchmark_repetitions=5 --benchmark_report_aggregates_only

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>

#include "base/random.h"
#include "engine/internal/range_index.h"
#include "engine/types.h"

namespace banyan::engine::internal {
namespace {

struct Chunk {
  std::vector<int64_t> values = std::vector<int64_t>(kChunkCustomers);
  std::vector<uint64_t> has = std::vector<uint64_t>(kChunkWords, ~uint64_t{0});
  std::vector<int64_t> sorted;
  Chunk() {
    SeededRandom random(3);
    for (int64_t& value : values) {
      // Box–Muller normal -> log-normal AUM around 60,000 yuan, in fen.
      const double u = std::max(random.UniformDouble(), 1e-12), v = random.UniformDouble();
      const double normal = std::sqrt(-2 * std::log(u)) * std::cos(2 * M_PI * v);
      value = static_cast<int64_t>(std::exp(11.0 + 1.5 * normal) * 100);
    }
    sorted = values;
    std::sort(sorted.begin(), sorted.end());
  }
  // `value > x` matching `permille`/1000 of the chunk.
  int64_t Threshold(int permille) const {
    return sorted[sorted.size() - sorted.size() * permille / 1000];
  }
};

const Chunk& Data() {
  static const Chunk* chunk = new Chunk();
  return *chunk;
}

template <typename Index>
void BM_Select(benchmark::State& state) {
  Index index;
  index.Build(Data().values, Data().has);
  const int64_t low = Data().Threshold(static_cast<int>(state.range(0)));
  std::vector<uint64_t> out(kChunkWords);
  for (auto _ : state) {
    std::fill(out.begin(), out.end(), 0);
    index.Select(low, INT64_MAX, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["bytes_per_customer"] = static_cast<double>(index.MemoryBytes()) / kChunkCustomers;
}

template <typename Index>
void BM_Build(benchmark::State& state) {
  for (auto _ : state) {
    Index index;
    index.Build(Data().values, Data().has);
    benchmark::DoNotOptimize(index);
  }
}

BENCHMARK(BM_Select<SortedRangeIndex>)->Arg(1)->Arg(10)->Arg(100)->Arg(500);
BENCHMARK(BM_Select<BitSlicedRangeIndex>)->Arg(1)->Arg(10)->Arg(100)->Arg(500);
BENCHMARK(BM_Build<SortedRangeIndex>);
BENCHMARK(BM_Build<BitSlicedRangeIndex>);

}  // namespace
}  // namespace banyan::engine::internal

BENCHMARK_MAIN();
