// Helpers shared by the auth services for reading and writing store rows: timestamps as UTC
// microseconds, LIKE patterns, and the SQL fragment that limits a query to a principal's scope.
//
// Thread safety: stateless functions.

#ifndef BANYAN_AUTH_INTERNAL_ROWS_H_
#define BANYAN_AUTH_INTERNAL_ROWS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/principal.h"
#include "base/clock.h"
#include "store/database.h"

namespace banyan::auth::internal {

inline std::optional<Timestamp> OptionalTimestamp(const store::Row& row, int column) {
  if (row.IsNull(column)) return std::nullopt;
  return FromUnixMicros(row.Int(column));
}

inline store::Value TimestampValue(const std::optional<Timestamp>& t) {
  if (!t) return store::Value();
  return store::Value(ToUnixMicros(*t));
}

// `text` with LIKE wildcards escaped (ESCAPE '\'), wrapped as "%text%".
std::string ContainsPattern(std::string_view text);

// A WHERE-clause fragment restricting `path_column` to `principal`'s branch scope ("1 = 1" for
// kAll), appending its parameters to `params`.
std::string ScopeCondition(const Principal& principal, std::string_view path_column,
                           std::vector<store::Value>& params);

// OK when branch `id` exists within `principal`'s scope; NotFound at "/branch_id" otherwise.
Status CheckBranchInScope(store::Transaction& tx, const Principal& principal, int64_t id);

// True when `text` is valid UTF-8 without control characters (names, addresses).
bool IsPrintableUtf8(std::string_view text);
// Number of Unicode code points in valid UTF-8 `text`.
size_t CodePointCount(std::string_view text);

}  // namespace banyan::auth::internal

#endif  // BANYAN_AUTH_INTERNAL_ROWS_H_
