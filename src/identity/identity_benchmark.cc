// Micro-benchmarks of OneID: Resolve of an event's known identifiers (the ingestion hot path),
// Resolve of new ones, Flush of new customers (the import path), and Load of 1M persons with 4M
// identifiers. Run: build/<dir>/src/identity/banyan_identity_benchmark
// (BANYAN_BENCH_LOAD_PERSONS overrides the 1,000,000 of the Load benchmark.)

#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "base/testing/temp_dir.h"
#include "identity/graph.h"
#include "privacy/keyring.h"
#include "privacy/person_keys.h"

namespace banyan::identity {
namespace {

constexpr int kKnownCustomers = 200'000;

// A database, a key ring and a graph in a temporary directory.
struct World {
  World() : random(1) {
    auto opened =
        store::OpenSqlite({.path = (dir / "banyan.db").string()}, store::BuiltinMigrations());
    CHECK(opened.ok(), "{}", opened.status().ToString());
    db = std::move(*opened);
    auto loaded_ring = privacy::KeyRing::LoadOrCreate((dir / "data.keyring").string(),
                                                      SecureRandom::Get(), SystemClock::Get());
    CHECK(loaded_ring.ok(), "{}", loaded_ring.status().ToString());
    ring = std::move(*loaded_ring);
    keys = std::make_unique<privacy::PersonKeys>(*ring, random, SystemClock::Get());
    Reload();
  }
  ~World() {
    graph.reset();
    db->Close();
    std::filesystem::remove_all(dir);
  }
  void Reload() {
    graph.reset();
    auto loaded =
        IdentityGraph::Load(*db, IdentifierTypes(), *ring, *keys, random, SystemClock::Get());
    CHECK(loaded.ok(), "{}", loaded.status().ToString());
    graph = std::move(*loaded);
  }
  void Flush() {
    CHECK(db->Write([&](store::Transaction& tx) { return graph->Flush(tx, 0); }).ok());
    graph->FlushCommitted();
  }
  ResolveResult Resolve(std::span<const events::Identifier> ids) {
    Evidence evidence{"event", ++sequence, "", SystemClock::Get().Now()};
    Result<ResolveResult> r = graph->Resolve(ids, evidence);
    CHECK(r.ok(), "{}", r.status().ToString());
    return *r;
  }

  banyan::testing::TempDir temp{"banyan_identity_bench"};  // removed after the database closes
  std::filesystem::path dir = temp.path();
  SeededRandom random;
  std::unique_ptr<store::Database> db;
  std::unique_ptr<privacy::KeyRing> ring;
  std::unique_ptr<privacy::PersonKeys> keys;
  std::unique_ptr<IdentityGraph> graph;
  uint64_t sequence = 0;
};

std::vector<events::Identifier> AppEvent(int customer) {
  const std::string n = std::to_string(customer);
  return {{"anonymous_id", "anon-" + n + "-7f3a9c"},
          {"app_user_id", "user-" + n},
          {"device_id", "device-" + n + "-b21e"}};
}

// A world with kKnownCustomers app customers (three identifiers each), flushed.
World& KnownWorld() {
  static World* const kWorld = [] {
    auto* world = new World();
    for (int i = 0; i < kKnownCustomers; ++i) {
      world->Resolve(AppEvent(i));
      if (world->graph->PendingChanges() > kPendingChangesMax / 2) world->Flush();
    }
    world->Flush();
    return world;
  }();
  return *kWorld;
}

// An app event of a known customer: three known identifiers, one person.
void BM_ResolveKnown(benchmark::State& state) {
  World& world = KnownWorld();
  std::vector<std::vector<events::Identifier>> events;
  SeededRandom pick(3);
  for (int i = 0; i < 4096; ++i) {
    events.push_back(AppEvent(static_cast<int>(pick.Uniform(kKnownCustomers))));
  }
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(world.Resolve(events[i++ & 4095]));
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["memory_bytes_per_customer"] =
      static_cast<double>(world.graph->MemoryBytes()) / kKnownCustomers;
}
BENCHMARK(BM_ResolveKnown);

// One keyed hash (privacy::KeyedHash): Resolve computes one per identifier before locking.
void BM_LookupHash(benchmark::State& state) {
  World& world = KnownWorld();
  for (auto _ : state) {
    benchmark::DoNotOptimize(world.graph->Lookup("app_user_id", "user-123456"));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LookupHash);

// A first visit: an anonymous id and a device never seen, so a new person and two identifiers.
void BM_ResolveNew(benchmark::State& state) {
  World& world = KnownWorld();
  int n = 0;
  for (auto _ : state) {
    const std::string id = std::to_string(n++);
    const std::vector<events::Identifier> ids = {{"anonymous_id", "new-anon-" + id},
                                                 {"device_id", "new-device-" + id}};
    benchmark::DoNotOptimize(world.Resolve(ids));
    if (world.graph->PendingChanges() > kPendingChangesMax / 2) {
      state.PauseTiming();
      world.Flush();
      state.ResumeTiming();
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ResolveNew);

// Writing new customers to the store (person row, data key, four sealed identifiers): the
// cost an import pays per customer on top of Resolve.
void BM_FlushNewCustomers(benchmark::State& state) {
  World world;
  const int batch = static_cast<int>(state.range(0));
  int n = 0;
  for (auto _ : state) {
    state.PauseTiming();
    for (int i = 0; i < batch; ++i, ++n) {
      const std::string id = std::to_string(n);
      const std::vector<events::Identifier> ids = {
          {"cust_no", "C" + id},
          {"phone", std::to_string(13000000000LL + n)},
          {"id_card_free_text", id},  // skipped: not a type
          {"app_user_id", "u" + id},
          {"email", "c" + id + "@bank.example"}};
      world.Resolve(ids);
    }
    state.ResumeTiming();
    world.Flush();
  }
  state.SetItemsProcessed(state.iterations() * batch);
}
BENCHMARK(BM_FlushNewCustomers)->Arg(10'000)->Unit(benchmark::kMillisecond)->UseRealTime();

// Load of a store with N persons and 4N identifiers (rows written directly: Load never opens
// the sealed values, so their content does not matter).
void BM_Load(benchmark::State& state) {
  int64_t persons = 1'000'000;
  if (const char* env = std::getenv("BANYAN_BENCH_LOAD_PERSONS")) persons = std::atoll(env);
  World world;
  const char* types[] = {"app_user_id", "phone", "device_id", "anonymous_id"};
  SeededRandom random(9);
  const std::string sealed(60, 's');
  CHECK(world.db
            ->Write([&](store::Transaction& tx) -> Status {
              for (int64_t p = 1; p <= persons; ++p) {
                RETURN_IF_ERROR(
                    tx.Execute("INSERT INTO person (id, merged_into, created_at, updated_at) "
                               "VALUES (?, ?, 0, 0)",
                               {p, p % 10 == 0 ? store::Value(p - 1) : store::Value()}));
                for (const char* type : types) {
                  privacy::LookupHash lookup;
                  random.Fill(lookup);
                  RETURN_IF_ERROR(tx.Execute(
                      "INSERT INTO identifier (type, lookup, person_id, sealed, first_seen_at, "
                      "last_seen_at, source) VALUES (?, ?, ?, ?, 0, 0, 'import')",
                      {type, store::Blob{std::string(privacy::AsBytes(lookup))}, p,
                       store::Blob{sealed}}));
                }
              }
              return Status::Ok();
            })
            .ok());
  for (auto _ : state) {
    world.Reload();
    benchmark::DoNotOptimize(world.graph->Stats());
  }
  const GraphStats stats = world.graph->Stats();
  CHECK(stats.identifiers == 4 * persons, "loaded {}", stats.identifiers);
  state.counters["persons"] = static_cast<double>(stats.persons);
  state.counters["identifiers"] = static_cast<double>(stats.identifiers);
  state.counters["memory_bytes_per_person"] =
      static_cast<double>(stats.memory_bytes) / static_cast<double>(persons);
}
BENCHMARK(BM_Load)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

}  // namespace
}  // namespace banyan::identity

BENCHMARK_MAIN();
