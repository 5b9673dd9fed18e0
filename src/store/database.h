// The relational store: a small interface over SQL databases, with SQLite (WAL mode) as the
// embedded implementation and room for PostgreSQL later.
//
// All access happens inside a transaction passed to a callback:
//
//   RETURN_IF_ERROR(db.Write([&](Transaction& tx) -> Status {
//     RETURN_IF_ERROR(tx.Execute("INSERT INTO branch (code, name) VALUES (?, ?)", {code, name}));
//     id = tx.LastInsertId();
//     return Status::Ok();
//   }));
//
// Write() runs `body` in an exclusive write transaction; if the body returns an error, the
// transaction rolls back and the error is returned. If the database is busy (another process
// holds the lock) the whole body is retried with backoff, so bodies must have no effects outside
// the transaction. Read() runs `body` on a consistent snapshot that concurrent writes do not
// disturb. SQL uses `?` placeholders; write portable SQL (no SQLite-only functions in queries that
// a PostgreSQL store would also run).
//
// Thread safety: a Database is safe to use from any number of threads. Writes are serialised;
// reads run in parallel on a pool of connections. A Transaction is only valid inside its callback
// and on the calling thread.

#ifndef BANYAN_STORE_DATABASE_H_
#define BANYAN_STORE_DATABASE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/result.h"

namespace banyan::store {

struct Blob {
  std::string bytes;
};

// A bound parameter.
class Value {
 public:
  Value() : v_(nullptr) {}
  Value(std::nullptr_t) : v_(nullptr) {}             // NOLINT: implicit by design
  Value(int64_t v) : v_(v) {}                        // NOLINT
  Value(int v) : v_(static_cast<int64_t>(v)) {}      // NOLINT
  Value(bool v) : v_(static_cast<int64_t>(v)) {}     // NOLINT
  Value(double v) : v_(v) {}                         // NOLINT
  Value(std::string v) : v_(std::move(v)) {}         // NOLINT
  Value(std::string_view v) : v_(std::string(v)) {}  // NOLINT
  Value(const char* v) : v_(std::string(v)) {}       // NOLINT
  Value(Blob v) : v_(std::move(v)) {}                // NOLINT
  template <typename T>
  Value(const std::optional<T>& v) : Value() {  // NOLINT
    if (v) *this = Value(*v);
  }
  const auto& variant() const { return v_; }

 private:
  std::variant<std::nullptr_t, int64_t, double, std::string, Blob> v_;
};

// The current row of a query. Column indexes are 0-based, in SELECT order.
class Row {
 public:
  virtual ~Row() = default;
  virtual int ColumnCount() const = 0;
  virtual bool IsNull(int column) const = 0;
  virtual int64_t Int(int column) const = 0;  // NULL reads as 0
  virtual double Double(int column) const = 0;
  virtual std::string Text(int column) const = 0;  // NULL reads as ""
  virtual std::string Bytes(int column) const = 0;
  std::optional<int64_t> OptionalInt(int column) const {
    return IsNull(column) ? std::nullopt : std::optional<int64_t>(Int(column));
  }
  std::optional<std::string> OptionalText(int column) const {
    return IsNull(column) ? std::nullopt : std::optional<std::string>(Text(column));
  }
};

class Transaction {
 public:
  virtual ~Transaction() = default;
  // Runs a statement that returns no rows. A unique-constraint violation returns
  // AlreadyExists; other failures Internal (or Unavailable when the disk is full or read-only).
  virtual Status Execute(std::string_view sql, const std::vector<Value>& params = {}) = 0;
  // Runs a query, calling `each` for every row (at most `rows_max` rows) until it returns an
  // error, which is then returned.
  virtual Status Query(std::string_view sql, const std::vector<Value>& params,
                       const std::function<Status(const Row&)>& each,
                       int64_t rows_max = INT64_MAX) = 0;
  virtual int64_t LastInsertId() const = 0;
  // Rows changed by the last Execute.
  virtual int64_t Changes() const = 0;

  // Runs a query and returns its first row mapped by `map`, or NotFound("`what` not found").
  template <typename T>
  Result<T> QueryOne(std::string_view sql, const std::vector<Value>& params, std::string_view what,
                     const std::function<T(const Row&)>& map) {
    std::optional<T> out;
    RETURN_IF_ERROR(Query(
        sql, params,
        [&](const Row& row) {
          out = map(row);
          return Status::Ok();
        },
        1));
    if (!out) return NotFoundError(std::string(what) + " not found");
    return std::move(*out);
  }
};

class Database {
 public:
  virtual ~Database() = default;
  virtual Status Write(const std::function<Status(Transaction&)>& body) = 0;
  virtual Status Read(const std::function<Status(Transaction&)>& body) = 0;
  // The schema version the database is at after migration.
  virtual int SchemaVersion() const = 0;
  // Checkpoints and closes all connections. Further calls fail with Unavailable.
  virtual void Close() = 0;
};

// A schema change compiled into the binary. Versions start at 1 and have no gaps.
struct Migration {
  int version;
  std::string name;
  std::string sql;
};

// The migrations of this build, in order (generated from src/store/migrations/*.sql).
const std::vector<Migration>& BuiltinMigrations();

struct SqliteOptions {
  std::string path;  // the database file; created if missing
  int64_t busy_timeout_ms = 5000;
  int readers = 4;
};

// Opens (creating if needed) the SQLite database at options.path in WAL mode and applies
// `migrations` not yet applied, each in its own transaction. Fails with FailedPrecondition when
// the file's schema is newer than the newest migration this binary knows, naming both versions.
Result<std::unique_ptr<Database>> OpenSqlite(const SqliteOptions& options,
                                             const std::vector<Migration>& migrations);

}  // namespace banyan::store

#endif  // BANYAN_STORE_DATABASE_H_
