// The rows of a core-banking import file, checked: which column means what (identifier,
// attribute, as_of, date, balance) and the conversion of one record into identifiers and
// prepared profile updates, or a reject naming the field (import.h has the contract).
//
// Used by the profile importer only. Thread safety: a ColumnMap is immutable once built;
// CheckRow needs the transaction of its ScopeResolver.

#ifndef BANYAN_PROFILE_INTERNAL_IMPORT_ROWS_H_
#define BANYAN_PROFILE_INTERNAL_IMPORT_ROWS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/time.h"
#include "events/event.h"
#include "identity/identifier_types.h"
#include "profile/balances.h"
#include "profile/internal/record_reader.h"
#include "profile/schema.h"
#include "profile/update.h"

namespace banyan::profile::internal {

enum class ImportKind { kCustomers, kBalances };
// "customers", "balances".
std::string_view ImportKindName(ImportKind kind);

struct ColumnRole {
  enum Kind { kIdentifier, kAttribute, kAsOf, kDate, kBalance } kind = kAttribute;
  std::string name;
  const AttributeDef* def = nullptr;  // kAttribute and kBalance (the balance's attribute)
  size_t balance = 0;                 // kBalance: index into kBalanceKeys
};

class ColumnMap {
 public:
  ColumnMap(ImportKind kind, const identity::IdentifierTypes& types, const AttributeSchema& schema)
      : kind_(kind), types_(types), schema_(schema) {}

  // What column `name` means for this kind of import; InvalidArgument naming it when nothing.
  Result<ColumnRole> RoleOf(std::string_view name) const;
  // Checks a CSV header: every column known, the required ones (cust_no; date for balances)
  // present. Remembers the roles by position for CheckRow.
  Status SetHeader(const std::vector<std::string>& columns);

  ImportKind kind() const { return kind_; }
  const identity::IdentifierTypes& types() const { return types_; }
  const AttributeSchema& schema() const { return schema_; }
  const std::vector<ColumnRole>& header_roles() const { return header_roles_; }

 private:
  ImportKind kind_;
  const identity::IdentifierTypes& types_;
  const AttributeSchema& schema_;
  std::vector<ColumnRole> header_roles_;
};

// A record that passed every check.
struct CheckedRow {
  int64_t row = 0;
  std::vector<events::Identifier> identifiers;  // normalised; cust_no first
  std::vector<PreparedUpdate> updates;
  // Balances only:
  std::optional<CivilDay> date;
  Balances balances;
};

struct RowReject {
  std::string field;  // the column, or empty when the record as a whole is bad
  std::string error;
};

using CheckedOrReject = std::variant<CheckedRow, RowReject>;

struct RowContext {
  const ColumnMap& columns;
  const BusinessCalendar& calendar;
  Timestamp default_as_of;
  ScopeResolver& scopes;
};

// Checks `record` (CSV fields or an NDJSON object). Store errors (from scope look-ups) are the
// failed Result; a bad row is a RowReject.
Result<CheckedOrReject> CheckRow(const Record& record, const RowContext& ctx);

// The end of `day` in the bank's zone (its last microsecond): the time of values true "as of"
// a business date.
Timestamp EndOfDay(const BusinessCalendar& calendar, CivilDay day);

}  // namespace banyan::profile::internal

#endif  // BANYAN_PROFILE_INTERNAL_IMPORT_ROWS_H_
