// Micro-benchmarks of the per-request authentication paths: a cached session and a cached API
// key, on the real clock (so periodic re-checks against the store are included), from one and
// two threads. Run: build/<dir>/src/auth/banyan_auth_benchmark

#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>

#include "auth/auth.h"

namespace banyan::auth {
namespace {

constexpr char kPassword[] = "benchmark password";

// One database and AuthSystem shared by every benchmark in the process.
struct World {
  World() {
    std::string pattern = (std::filesystem::temp_directory_path() / "banyan_bench_XXXXXX").string();
    CHECK(mkdtemp(pattern.data()) != nullptr);
    dir = pattern;
    auto opened =
        store::OpenSqlite({.path = (dir / "banyan.db").string()}, store::BuiltinMigrations());
    CHECK(opened.ok(), "{}", opened.status().ToString());
    db = std::move(*opened);
    auth = std::make_unique<AuthSystem>(*db, SystemClock::Get(), SecureRandom::Get(), config,
                                        std::string(32, 'k'), PasswordHashCost::Minimum());
    const AuditContext context{"bench", "127.0.0.1"};
    BranchInput hq{.code = "HQ", .name = "HQ", .latitude = 0.0, .longitude = 0.0};
    const Branch head = *auth->branches().Create(Principal::System(), hq, context);
    StaffInput admin{.username = "admin",
                     .display_name = "Admin",
                     .password = kPassword,
                     .role = Role::kAdmin,
                     .branch_id = head.id};
    CHECK(auth->staff().Create(Principal::System(), admin, context).ok());
    token = auth->sessions().Login("admin", kPassword, context)->token;
    key =
        auth->api_keys()
            .Create(Principal::System(), {.name = "k", .permissions = {"customers:read"}}, context)
            ->secret;
  }
  ~World() {
    auth.reset();
    db->Close();
    std::filesystem::remove_all(dir);
  }

  std::filesystem::path dir;
  Config::Auth config;
  std::unique_ptr<store::Database> db;
  std::unique_ptr<AuthSystem> auth;
  std::string token;
  std::string key;
};

World& TheWorld() {
  static World* const kWorld = new World();
  return *kWorld;
}

void BM_AuthenticateSession(benchmark::State& state) {
  World& world = TheWorld();
  for (auto _ : state) {
    Result<Principal> p = world.auth->sessions().Authenticate(world.token);
    CHECK(p.ok());
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AuthenticateSession)->Threads(1)->Threads(2)->UseRealTime();

void BM_AuthenticateApiKey(benchmark::State& state) {
  World& world = TheWorld();
  for (auto _ : state) {
    Result<Principal> p = world.auth->api_keys().Authenticate(world.key);
    CHECK(p.ok());
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AuthenticateApiKey)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace
}  // namespace banyan::auth

BENCHMARK_MAIN();
