// Micro-benchmarks of the per-value privacy paths an import of customers runs for every row:
// Seal and Open of a phone-sized and a profile-sized value, KeyedHash of an identifier, and
// PersonKeys::Create (key generation, wrap, insert) in batched transactions.
// Run: build/<dir>/src/privacy/banyan_privacy_benchmark

#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>

#include "base/check.h"
#include "base/testing/temp_dir.h"
#include "privacy/keyed_hash.h"
#include "privacy/person_keys.h"
#include "privacy/sealer.h"

namespace banyan::privacy {
namespace {

// One temporary directory, key ring and database shared by every benchmark in the process.
struct World {
  World() {
    auto opened_ring =
        KeyRing::LoadOrCreate((dir / "data.keyring").string(), SecureRandom::Get(), clock);
    CHECK(opened_ring.ok(), "{}", opened_ring.status().ToString());
    ring = std::move(*opened_ring);
    auto opened =
        store::OpenSqlite({.path = (dir / "banyan.db").string()}, store::BuiltinMigrations());
    CHECK(opened.ok(), "{}", opened.status().ToString());
    db = std::move(*opened);
    keys = std::make_unique<PersonKeys>(*ring, SecureRandom::Get(), clock);
  }
  ~World() { db->Close(); }
  const SystemClock& clock = SystemClock::Get();
  banyan::testing::TempDir temp{"banyan_privacy_bench"};  // removed after the database closes
  std::filesystem::path dir = temp.path();
  std::unique_ptr<KeyRing> ring;
  std::unique_ptr<store::Database> db;
  std::unique_ptr<PersonKeys> keys;
};

World& TheWorld() {
  static World* const kWorld = new World();
  return *kWorld;
}

DataKey SomeKey() {
  std::array<uint8_t, kDataKeyBytes> bytes;
  SecureRandom::Get().Fill(bytes);
  return DataKey(bytes);
}

void BM_Seal(benchmark::State& state) {
  const DataKey key = SomeKey();
  const std::string value(static_cast<size_t>(state.range(0)), 'v');
  for (auto _ : state) {
    benchmark::DoNotOptimize(Seal(key, value, "profile/123456", SecureRandom::Get()));
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Seal)->Arg(11)->Arg(512);

void BM_Open(benchmark::State& state) {
  const DataKey key = SomeKey();
  const std::string sealed = Seal(key, std::string(static_cast<size_t>(state.range(0)), 'v'),
                                  "profile/123456", SecureRandom::Get());
  for (auto _ : state) benchmark::DoNotOptimize(Open(key, sealed, "profile/123456"));
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Open)->Arg(11)->Arg(512);

void BM_KeyedHash(benchmark::State& state) {
  const KeyRing& ring = *TheWorld().ring;
  for (auto _ : state) benchmark::DoNotOptimize(KeyedHash(ring, "phone", "13812341234"));
}
BENCHMARK(BM_KeyedHash);

// Creates 1,000 person keys per transaction, as a bulk import batches its rows.
void BM_CreatePersonKeys(benchmark::State& state) {
  World& world = TheWorld();
  static int64_t next_person_id = 1;
  constexpr int64_t kBatch = 1000;
  for (auto _ : state) {
    CHECK(world.db
              ->Write([&](store::Transaction& tx) -> Status {
                for (int64_t i = 0; i < kBatch; ++i) {
                  RETURN_IF_ERROR(world.keys->Create(tx, next_person_id + i).status());
                }
                return Status::Ok();
              })
              .ok());
    next_person_id += kBatch;
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_CreatePersonKeys)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace banyan::privacy

BENCHMARK_MAIN();
