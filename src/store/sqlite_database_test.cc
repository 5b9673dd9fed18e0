#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "store/database.h"

namespace banyan::store {
namespace {

class SqliteDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("banyan_store_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  SqliteOptions Options() {
    return {.path = (dir_ / "test.db").string(), .busy_timeout_ms = 100, .readers = 2};
  }

  std::vector<Migration> migrations_ = {
      {1, "people", "CREATE TABLE person (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"},
      {2, "age", "ALTER TABLE person ADD COLUMN age INTEGER;"},
  };
  std::filesystem::path dir_;
};

TEST_F(SqliteDatabaseTest, MigratesAndRoundTrips) {
  auto db = OpenSqlite(Options(), migrations_);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_EQ((*db)->SchemaVersion(), 2);
  int64_t id = 0;
  ASSERT_TRUE((*db)
                  ->Write([&](Transaction& tx) -> Status {
                    RETURN_IF_ERROR(
                        tx.Execute("INSERT INTO person (name, age) VALUES (?, ?)", {"张三", 31}));
                    id = tx.LastInsertId();
                    return Status::Ok();
                  })
                  .ok());
  std::string name;
  ASSERT_TRUE((*db)
                  ->Read([&](Transaction& tx) -> Status {
                    ASSIGN_OR_RETURN(name, tx.QueryOne<std::string>(
                                               "SELECT name FROM person WHERE id = ?", {id},
                                               "person", [](const Row& r) { return r.Text(0); }));
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(name, "张三");
}

TEST_F(SqliteDatabaseTest, FailedBodyRollsBack) {
  auto db = OpenSqlite(Options(), migrations_);
  ASSERT_TRUE(db.ok());
  Status status = (*db)->Write([&](Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.Execute("INSERT INTO person (name) VALUES (?)", {"a"}));
    return InvalidArgumentError("changed my mind");
  });
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  int64_t count = -1;
  ASSERT_TRUE((*db)
                  ->Read([&](Transaction& tx) -> Status {
                    ASSIGN_OR_RETURN(
                        count, tx.QueryOne<int64_t>("SELECT count(*) FROM person", {}, "count",
                                                    [](const Row& r) { return r.Int(0); }));
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(count, 0);
}

TEST_F(SqliteDatabaseTest, UniqueViolationIsAlreadyExists) {
  auto db = OpenSqlite(Options(), migrations_);
  ASSERT_TRUE(db.ok());
  auto insert = [&] {
    return (*db)->Write(
        [](Transaction& tx) { return tx.Execute("INSERT INTO person (name) VALUES ('x')"); });
  };
  EXPECT_TRUE(insert().ok());
  EXPECT_EQ(insert().code(), StatusCode::kAlreadyExists);
}

TEST_F(SqliteDatabaseTest, RefusesNewerSchema) {
  { ASSERT_TRUE(OpenSqlite(Options(), migrations_).ok()); }
  std::vector<Migration> older(migrations_.begin(), migrations_.begin() + 1);
  auto db = OpenSqlite(Options(), older);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(db.status().message().find("version 2"), std::string::npos);
}

TEST_F(SqliteDatabaseTest, ReopenAppliesOnlyNewMigrations) {
  std::vector<Migration> first(migrations_.begin(), migrations_.begin() + 1);
  { ASSERT_TRUE(OpenSqlite(Options(), first).ok()); }
  auto db = OpenSqlite(Options(), migrations_);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_EQ((*db)->SchemaVersion(), 2);
}

TEST_F(SqliteDatabaseTest, ReadsSeeASnapshotWhileWritesProceed) {
  auto db = OpenSqlite(Options(), migrations_);
  ASSERT_TRUE(db.ok());
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; i < 200; ++i) {
      ASSERT_TRUE((*db)
                      ->Write([&](Transaction& tx) {
                        return tx.Execute("INSERT INTO person (name, age) VALUES (?, ?)",
                                          {std::to_string(i), i});
                      })
                      .ok());
    }
    stop = true;
  });
  while (!stop) {
    ASSERT_TRUE(
        (*db)
            ->Read([&](Transaction& tx) -> Status {
              int64_t a = 0, b = 0;
              ASSIGN_OR_RETURN(a, tx.QueryOne<int64_t>("SELECT count(*) FROM person", {}, "n",
                                                       [](const Row& r) { return r.Int(0); }));
              ASSIGN_OR_RETURN(b, tx.QueryOne<int64_t>("SELECT count(*) FROM person", {}, "n",
                                                       [](const Row& r) { return r.Int(0); }));
              EXPECT_EQ(a, b);  // one snapshot per Read
              return Status::Ok();
            })
            .ok());
  }
  writer.join();
}

TEST_F(SqliteDatabaseTest, RetriesWhenAnotherProcessHoldsTheLock) {
  auto db = OpenSqlite(Options(), migrations_);
  ASSERT_TRUE(db.ok());
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(Options().path.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr);
  });
  Status status = (*db)->Write(
      [](Transaction& tx) { return tx.Execute("INSERT INTO person (name) VALUES ('late')"); });
  release.join();
  sqlite3_close(other);
  EXPECT_TRUE(status.ok()) << status.ToString();
}

TEST_F(SqliteDatabaseTest, ClosedDatabaseIsUnavailable) {
  auto db = OpenSqlite(Options(), migrations_);
  ASSERT_TRUE(db.ok());
  (*db)->Close();
  EXPECT_EQ((*db)->Read([](Transaction&) { return Status::Ok(); }).code(),
            StatusCode::kUnavailable);
  EXPECT_EQ((*db)->Write([](Transaction&) { return Status::Ok(); }).code(),
            StatusCode::kUnavailable);
}

}  // namespace
}  // namespace banyan::store
