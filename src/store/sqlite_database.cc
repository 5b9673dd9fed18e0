// SQLite implementation of store::Database.
//
// One writer connection (serialised by a mutex, BEGIN IMMEDIATE) and a pool of reader
// connections (BEGIN, so each Read sees one WAL snapshot). Prepared statements are cached per
// connection by SQL text. Busy errors retry the whole transaction body with capped backoff.

#include <fmt/format.h>
#include <sqlite3.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "base/logging.h"
#include "store/database.h"

namespace banyan::store {
namespace {

constexpr int kBusyRetriesMax = 8;
constexpr size_t kStatementCacheMax = 256;

bool IsBusy(int rc) {
  const int primary = rc & 0xff;
  return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

Status ErrorFrom(sqlite3* db, int rc, std::string_view what) {
  const std::string message =
      fmt::format("{}: {}", what, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return AlreadyExistsError(message);
      }
      return FailedPreconditionError(message);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return AbortedError(message);
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
      return UnavailableError(message);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return DataLossError(message);
    default:
      return InternalError(message);
  }
}

class SqliteRow final : public Row {
 public:
  explicit SqliteRow(sqlite3_stmt* stmt) : stmt_(stmt) {}
  int ColumnCount() const override { return sqlite3_column_count(stmt_); }
  bool IsNull(int c) const override { return sqlite3_column_type(stmt_, c) == SQLITE_NULL; }
  int64_t Int(int c) const override { return sqlite3_column_int64(stmt_, c); }
  double Double(int c) const override { return sqlite3_column_double(stmt_, c); }
  std::string Text(int c) const override {
    const auto* p = sqlite3_column_text(stmt_, c);
    return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(stmt_, c)) : "";
  }
  std::string Bytes(int c) const override {
    const auto* p = sqlite3_column_blob(stmt_, c);
    return p ? std::string(static_cast<const char*>(p), sqlite3_column_bytes(stmt_, c)) : "";
  }

 private:
  sqlite3_stmt* stmt_;
};

// One connection with its statement cache. Not thread-safe: owned by one user at a time.
class Connection final : public Transaction {
 public:
  ~Connection() override {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    if (db_) sqlite3_close_v2(db_);
  }

  static Result<std::unique_ptr<Connection>> Open(const SqliteOptions& options, bool read_only) {
    auto conn = std::unique_ptr<Connection>(new Connection());
    const int flags =
        (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
        SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(options.path.c_str(), &conn->db_, flags, nullptr);
    if (rc != SQLITE_OK)
      return ErrorFrom(conn->db_, rc, fmt::format("cannot open {}", options.path));
    sqlite3_busy_timeout(conn->db_, static_cast<int>(options.busy_timeout_ms));
    sqlite3_extended_result_codes(conn->db_, 1);
    if (!read_only) {
      RETURN_IF_ERROR(conn->Execute("PRAGMA journal_mode=WAL", {}));
      RETURN_IF_ERROR(conn->Execute("PRAGMA synchronous=FULL", {}));  // durable before acknowledged
    }
    RETURN_IF_ERROR(conn->Execute("PRAGMA foreign_keys=ON", {}));
    return conn;
  }

  Status Execute(std::string_view sql, const std::vector<Value>& params) override {
    ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql, params));
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    }
    sqlite3_reset(stmt);
    if (rc != SQLITE_DONE) return ErrorFrom(db_, rc, "statement failed");
    changes_ = sqlite3_changes64(db_);
    return Status::Ok();
  }

  Status Query(std::string_view sql, const std::vector<Value>& params,
               const std::function<Status(const Row&)>& each, int64_t rows_max) override {
    ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql, params));
    SqliteRow row(stmt);
    int64_t rows = 0;
    int rc = SQLITE_DONE;
    while (rows < rows_max && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      ++rows;
      Status status = each(row);
      if (!status.ok()) {
        sqlite3_reset(stmt);
        return status;
      }
    }
    sqlite3_reset(stmt);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) return ErrorFrom(db_, rc, "query failed");
    return Status::Ok();
  }

  int64_t LastInsertId() const override { return sqlite3_last_insert_rowid(db_); }
  int64_t Changes() const override { return changes_; }

  // Runs BEGIN/COMMIT around `body`; returns the raw SQLite code of a busy failure in *busy_rc.
  Status RunTransaction(std::string_view begin, const std::function<Status(Transaction&)>& body,
                        bool* busy) {
    *busy = false;
    int rc = sqlite3_exec(db_, std::string(begin).c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) {
      *busy = IsBusy(rc);
      return ErrorFrom(db_, rc, "cannot begin transaction");
    }
    Status status = body(*this);
    if (!status.ok()) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      *busy = status.code() == StatusCode::kAborted && IsBusy(sqlite3_extended_errcode(db_));
      return status;
    }
    rc = sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) {
      *busy = IsBusy(rc);
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return ErrorFrom(db_, rc, "cannot commit");
    }
    return Status::Ok();
  }

  sqlite3* handle() { return db_; }

 private:
  Connection() = default;

  Result<sqlite3_stmt*> Prepare(std::string_view sql, const std::vector<Value>& params) {
    sqlite3_stmt* stmt = nullptr;
    auto it = cache_.find(std::string(sql));
    if (it != cache_.end()) {
      stmt = it->second;
    } else {
      const int rc =
          sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
      if (rc != SQLITE_OK) return ErrorFrom(db_, rc, fmt::format("cannot prepare '{}'", sql));
      if (cache_.size() >= kStatementCacheMax) {
        for (auto& [s, old] : cache_) sqlite3_finalize(old);
        cache_.clear();
      }
      cache_.emplace(std::string(sql), stmt);
    }
    sqlite3_clear_bindings(stmt);
    if (static_cast<int>(params.size()) != sqlite3_bind_parameter_count(stmt)) {
      return InternalError(fmt::format("'{}' takes {} parameters, {} given", sql,
                                       sqlite3_bind_parameter_count(stmt), params.size()));
    }
    for (size_t i = 0; i < params.size(); ++i) {
      const int index = static_cast<int>(i) + 1;
      const int rc = std::visit(
          [&](const auto& v) -> int {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, std::nullptr_t>) return sqlite3_bind_null(stmt, index);
            if constexpr (std::is_same_v<V, int64_t>) return sqlite3_bind_int64(stmt, index, v);
            if constexpr (std::is_same_v<V, double>) return sqlite3_bind_double(stmt, index, v);
            if constexpr (std::is_same_v<V, std::string>) {
              return sqlite3_bind_text64(stmt, index, v.data(), v.size(), SQLITE_TRANSIENT,
                                         SQLITE_UTF8);
            }
            if constexpr (std::is_same_v<V, Blob>) {
              return sqlite3_bind_blob64(stmt, index, v.bytes.data(), v.bytes.size(),
                                         SQLITE_TRANSIENT);
            }
          },
          params[i].variant());
      if (rc != SQLITE_OK) return ErrorFrom(db_, rc, "cannot bind parameter");
    }
    return stmt;
  }

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
  int64_t changes_ = 0;
};

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(SqliteOptions options, std::unique_ptr<Connection> writer)
      : options_(std::move(options)), writer_(std::move(writer)) {}
  ~SqliteDatabase() override { Close(); }

  Status Write(const std::function<Status(Transaction&)>& body) override {
    std::lock_guard lock(write_mutex_);
    if (!writer_) return UnavailableError("the database is closed");
    return WithRetry(
        [&](bool* busy) { return writer_->RunTransaction("BEGIN IMMEDIATE", body, busy); });
  }

  Status Read(const std::function<Status(Transaction&)>& body) override {
    ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, AcquireReader());
    Status status =
        WithRetry([&](bool* busy) { return conn->RunTransaction("BEGIN", body, busy); });
    ReleaseReader(std::move(conn));
    return status;
  }

  int SchemaVersion() const override { return schema_version_; }
  void set_schema_version(int v) { schema_version_ = v; }

  void Close() override {
    std::lock_guard write_lock(write_mutex_);
    std::lock_guard lock(readers_mutex_);
    closed_ = true;
    idle_readers_.clear();
    if (writer_) {
      // Fold the WAL back into the main file so a closed database is one self-contained file.
      sqlite3_wal_checkpoint_v2(writer_->handle(), nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr,
                                nullptr);
      writer_.reset();
    }
  }

  Connection& writer() { return *writer_; }

 private:
  template <typename F>
  Status WithRetry(F attempt) {
    auto delay = std::chrono::milliseconds(5);
    for (int i = 0;; ++i) {
      bool busy = false;
      Status status = attempt(&busy);
      if (!busy || i == kBusyRetriesMax) return status;
      log::Warn("store.busy_retry", {{"attempt", i + 1}});
      std::this_thread::sleep_for(delay);
      delay = std::min(delay * 2, std::chrono::milliseconds(500));
    }
  }

  Result<std::unique_ptr<Connection>> AcquireReader() {
    std::unique_lock lock(readers_mutex_);
    if (closed_) return UnavailableError("the database is closed");
    readers_available_.wait(lock, [&] {
      return closed_ || !idle_readers_.empty() || readers_open_ < options_.readers;
    });
    if (closed_) return UnavailableError("the database is closed");
    if (!idle_readers_.empty()) {
      auto conn = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return conn;
    }
    ++readers_open_;
    lock.unlock();
    auto conn = Connection::Open(options_, /*read_only=*/true);
    if (!conn.ok()) {
      std::lock_guard relock(readers_mutex_);
      --readers_open_;
      readers_available_.notify_one();
    }
    return conn;
  }

  void ReleaseReader(std::unique_ptr<Connection> conn) {
    std::lock_guard lock(readers_mutex_);
    if (closed_) {
      --readers_open_;
    } else {
      idle_readers_.push_back(std::move(conn));
    }
    readers_available_.notify_one();
  }

  SqliteOptions options_;
  std::mutex write_mutex_;
  std::unique_ptr<Connection> writer_;
  std::mutex readers_mutex_;
  std::condition_variable readers_available_;
  std::vector<std::unique_ptr<Connection>> idle_readers_;
  int readers_open_ = 0;
  bool closed_ = false;
  int schema_version_ = 0;
};

Result<int> ReadUserVersion(Transaction& tx) {
  return tx.QueryOne<int>("PRAGMA user_version", {}, "user_version",
                          [](const Row& row) { return static_cast<int>(row.Int(0)); });
}

Status Migrate(SqliteDatabase& db, const std::vector<Migration>& migrations) {
  int current = 0;
  RETURN_IF_ERROR(db.Write([&](Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(current, ReadUserVersion(tx));
    return Status::Ok();
  }));
  const int newest = migrations.empty() ? 0 : migrations.back().version;
  if (current > newest) {
    return FailedPreconditionError(fmt::format(
        "the database schema is version {} but this banyan knows only up to version {}; "
        "run a newer banyan or restore a backup",
        current, newest));
  }
  for (const auto& m : migrations) {
    if (m.version <= current) continue;
    Status status = db.Write([&](Transaction&) -> Status {
      char* error = nullptr;
      const int rc = sqlite3_exec(db.writer().handle(), m.sql.c_str(), nullptr, nullptr, &error);
      if (rc != SQLITE_OK) {
        const std::string message = error ? error : sqlite3_errstr(rc);
        sqlite3_free(error);
        return InternalError(
            fmt::format("migration {} ({}) failed: {}", m.version, m.name, message));
      }
      return db.writer().Execute(fmt::format("PRAGMA user_version = {}", m.version), {});
    });
    RETURN_IF_ERROR(status);
    log::Info("store.migrated", {{"version", m.version}, {"name", m.name}});
    current = m.version;
  }
  db.set_schema_version(current);
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Database>> OpenSqlite(const SqliteOptions& options,
                                             const std::vector<Migration>& migrations) {
  for (size_t i = 0; i < migrations.size(); ++i) {
    CHECK(migrations[i].version == static_cast<int>(i) + 1, "migration versions must be 1..n");
  }
  ASSIGN_OR_RETURN(auto writer, Connection::Open(options, /*read_only=*/false));
  auto db = std::make_unique<SqliteDatabase>(options, std::move(writer));
  RETURN_IF_ERROR(Migrate(*db, migrations));
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace banyan::store
