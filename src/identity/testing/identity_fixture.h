// IdentityWorld: a temporary directory with a migrated SQLite database, a real key ring and
// PersonKeys, a manual clock, seeded randomness and an IdentityGraph loaded over them; Reload()
// flushes, drops the graph and loads it again as a restarted server would.
//
// Used by the identity module's tests and case runner. Thread safety: one test at a time.

#ifndef BANYAN_IDENTITY_TESTING_IDENTITY_FIXTURE_H_
#define BANYAN_IDENTITY_TESTING_IDENTITY_FIXTURE_H_

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "base/testing/manual_clock.h"
#include "base/testing/temp_dir.h"
#include "identity/graph.h"
#include "privacy/keyring.h"
#include "privacy/person_keys.h"
#include "store/database.h"

namespace banyan::identity::testing {

// 2026-01-01T00:00:00Z.
inline constexpr int64_t kStartMicros = 1767225600LL * 1000000;

class IdentityWorld {
 public:
  IdentityWorld() : clock_(FromUnixMicros(kStartMicros)), random_(42) {}
  ~IdentityWorld() { Close(); }

  // Creates the directory, database, ring and graph. Returns a description of what failed.
  Status Open() {
    temp_ = std::make_unique<banyan::testing::TempDir>("banyan_identity");
    dir_ = temp_->path();
    ASSIGN_OR_RETURN(db_, store::OpenSqlite({.path = (dir_ / "banyan.db").string()},
                                            store::BuiltinMigrations()));
    ASSIGN_OR_RETURN(ring_, privacy::KeyRing::LoadOrCreate(
                                (dir_ / "keys" / "data.keyring").string(), random_, clock_));
    keys_ = std::make_unique<privacy::PersonKeys>(*ring_, random_, clock_);
    return LoadGraph();
  }

  void Close() {
    graph_.reset();
    keys_.reset();
    ring_.reset();
    if (db_) db_->Close();
    db_.reset();
    temp_.reset();
    dir_.clear();
  }

  Status LoadGraph() {
    graph_.reset();
    ASSIGN_OR_RETURN(graph_,
                     IdentityGraph::Load(*db_, types_, *ring_, *keys_, random_, clock_, options_));
    return Status::Ok();
  }

  // Flush in one transaction of its own, with the commit protocol.
  Status Flush(uint64_t next_sequence = 0) {
    Status status =
        db_->Write([&](store::Transaction& tx) { return graph_->Flush(tx, next_sequence); });
    if (status.ok()) {
      graph_->FlushCommitted();
    } else {
      graph_->FlushAborted();
    }
    return status;
  }

  Status Reload(uint64_t next_sequence = 0) {
    RETURN_IF_ERROR(Flush(next_sequence));
    return LoadGraph();
  }

  Result<ResolveResult> Call(std::vector<events::Identifier> ids, uint64_t sequence = 0) {
    clock_.Advance(std::chrono::seconds(1));
    Evidence evidence{"event", sequence, "m-" + std::to_string(sequence), clock_.Now()};
    return graph_->Resolve(ids, evidence);
  }

  int64_t CountRows(const std::string& sql) {
    int64_t n = -1;
    Status status = db_->Read([&](store::Transaction& tx) -> Status {
      ASSIGN_OR_RETURN(
          n, tx.QueryOne<int64_t>(sql, {}, "count", [](const store::Row& r) { return r.Int(0); }));
      return Status::Ok();
    });
    return status.ok() ? n : -1;
  }

  IdentityGraph& graph() { return *graph_; }
  store::Database& db() { return *db_; }
  banyan::testing::ManualClock& clock() { return clock_; }
  IdentifierTypes& types() { return types_; }
  GraphOptions& options() { return options_; }
  privacy::PersonKeys& keys() { return *keys_; }
  Random& random() { return random_; }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::unique_ptr<banyan::testing::TempDir> temp_;  // one per Open
  std::filesystem::path dir_;
  banyan::testing::ManualClock clock_;
  SeededRandom random_;
  IdentifierTypes types_;
  GraphOptions options_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<privacy::KeyRing> ring_;
  std::unique_ptr<privacy::PersonKeys> keys_;
  std::unique_ptr<IdentityGraph> graph_;
};

}  // namespace banyan::identity::testing

#endif  // BANYAN_IDENTITY_TESTING_IDENTITY_FIXTURE_H_
