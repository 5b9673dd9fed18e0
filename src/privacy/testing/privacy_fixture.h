// PrivacyFixture: a gtest fixture with a temporary directory holding a fresh SQLite database (all
// built-in migrations) and a key ring, a manual clock, seeded randomness and PersonKeys over them.
//
// Used by the privacy module's tests; other modules' tests may use it for a real key ring.
// Thread safety: one test at a time, as gtest runs them.

#ifndef BANYAN_PRIVACY_TESTING_PRIVACY_FIXTURE_H_
#define BANYAN_PRIVACY_TESTING_PRIVACY_FIXTURE_H_

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "base/testing/manual_clock.h"
#include "base/testing/temp_dir.h"
#include "privacy/keyring.h"
#include "privacy/person_keys.h"
#include "store/database.h"

namespace banyan::privacy::testing {

// 2026-01-01T00:00:00Z.
inline constexpr int64_t kStartMicros = 1767225600LL * 1000000;

class PrivacyFixture : public ::testing::Test {
 protected:
  PrivacyFixture() : clock_(FromUnixMicros(kStartMicros)), random_(42) {}

  void SetUp() override {
    auto db =
        store::OpenSqlite({.path = (dir_ / "banyan.db").string()}, store::BuiltinMigrations());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    OpenRing();
  }

  void TearDown() override {
    keys_.reset();
    ring_.reset();
    if (db_) db_->Close();
    db_.reset();
  }

  std::string RingPath() const { return (dir_ / "keys" / "data.keyring").string(); }

  // Loads (or creates) the ring at RingPath() and PersonKeys over it, as a restarted server would.
  void OpenRing() {
    keys_.reset();
    ring_.reset();
    auto ring = KeyRing::LoadOrCreate(RingPath(), random_, clock_);
    ASSERT_TRUE(ring.ok()) << ring.status().ToString();
    ring_ = std::move(*ring);
    keys_ = std::make_unique<PersonKeys>(*ring_, random_, clock_);
  }

  int64_t CountRows(const std::string& sql) {
    int64_t n = -1;
    Status status = db_->Read([&](store::Transaction& tx) -> Status {
      ASSIGN_OR_RETURN(
          n, tx.QueryOne<int64_t>(sql, {}, "count", [](const store::Row& r) { return r.Int(0); }));
      return Status::Ok();
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return n;
  }

  banyan::testing::TempDir temp_{"banyan_privacy"};  // removed after TearDown closes the files
  std::filesystem::path dir_ = temp_.path();
  banyan::testing::ManualClock clock_;
  SeededRandom random_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<KeyRing> ring_;
  std::unique_ptr<PersonKeys> keys_;
};

}  // namespace banyan::privacy::testing

#endif  // BANYAN_PRIVACY_TESTING_PRIVACY_FIXTURE_H_
