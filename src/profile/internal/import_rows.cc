#include "profile/internal/import_rows.h"

#include <fmt/format.h>

#include <algorithm>

#include "profile/internal/text.h"

namespace banyan::profile::internal {
namespace {

constexpr std::string_view kImportSource = "import";

// The balance columns of a balances import and the attribute each also sets.
constexpr std::string_view kBalanceColumns[] = {"aum", "deposit_balance", "loan_balance",
                                                "credit_card_balance", "wealth_balance"};
static_assert(std::size(kBalanceColumns) == std::size(kBalanceKeys));

struct Cell {
  ColumnRole role;
  std::string_view text;       // CSV, or an NDJSON string
  const Json* json = nullptr;  // NDJSON
};

CheckedOrReject Reject(std::string_view field, std::string error) {
  return RowReject{std::string(field), std::move(error)};
}

// The text of a cell whose JSON form may also be a number (identifiers, amounts).
std::optional<std::string> ScalarText(const Cell& cell) {
  if (cell.json == nullptr || cell.json->is_string()) return std::string(TrimSpace(cell.text));
  if (cell.json->is_number()) return cell.json->dump();
  return std::nullopt;
}

Result<Timestamp> ParseAsOf(std::string_view text, const BusinessCalendar& calendar) {
  text = TrimSpace(text);
  if (text.size() == 10) {
    Result<CivilDay> day = ParseDate(text);
    if (day.ok()) return EndOfDay(calendar, *day);
  }
  Result<Timestamp> at = ParseRfc3339(text);
  if (!at.ok()) return InvalidArgumentError("as_of: expected an RFC 3339 timestamp or YYYY-MM-DD");
  return *at;
}

// Collects the given cells of `record`; a reject for an unknown NDJSON member.
std::variant<std::vector<Cell>, RowReject> Cells(const Record& record, const ColumnMap& columns) {
  std::vector<Cell> cells;
  if (record.object.is_object()) {
    for (const auto& [key, value] : record.object.items()) {
      if (value.is_null()) continue;
      if (value.is_string() && TrimSpace(value.get_ref<const std::string&>()).empty()) continue;
      Result<ColumnRole> role = columns.RoleOf(key);
      if (!role.ok()) return RowReject{key, role.status().message()};
      Cell cell{std::move(*role), {}, &value};
      if (value.is_string()) cell.text = value.get_ref<const std::string&>();
      cells.push_back(std::move(cell));
    }
    return cells;
  }
  const auto& roles = columns.header_roles();
  for (size_t i = 0; i < record.fields.size() && i < roles.size(); ++i) {
    if (TrimSpace(record.fields[i]).empty()) continue;  // not given
    cells.push_back(Cell{roles[i], record.fields[i], nullptr});
  }
  return cells;
}

}  // namespace

std::string_view ImportKindName(ImportKind kind) {
  return kind == ImportKind::kCustomers ? "customers" : "balances";
}

Timestamp EndOfDay(const BusinessCalendar& calendar, CivilDay day) {
  return calendar.StartOf(day + 1) - Micros(1);
}

Result<ColumnRole> ColumnMap::RoleOf(std::string_view name) const {
  ColumnRole role;
  role.name = std::string(name);
  if (kind_ == ImportKind::kBalances) {
    if (name == "cust_no") {
      role.kind = ColumnRole::kIdentifier;
      return role;
    }
    if (name == "date") {
      role.kind = ColumnRole::kDate;
      return role;
    }
    for (size_t i = 0; i < std::size(kBalanceColumns); ++i) {
      if (name != kBalanceColumns[i]) continue;
      role.kind = ColumnRole::kBalance;
      role.balance = i;
      role.def = schema_.Find(name);
      CHECK(role.def != nullptr, "balance attribute {} missing from the schema", name);
      return role;
    }
    return InvalidArgumentError(
        fmt::format("unknown column '{}': a balances file has cust_no, date, aum, "
                    "deposit_balance, loan_balance, credit_card_balance and wealth_balance",
                    name),
        "/" + std::string(name));
  }
  if (name == "as_of") {
    role.kind = ColumnRole::kAsOf;
    return role;
  }
  if (types_.Find(name) != nullptr) {
    role.kind = ColumnRole::kIdentifier;
    return role;
  }
  role.def = schema_.Find(name);
  if (role.def == nullptr || role.def->read_only) {
    return InvalidArgumentError(
        fmt::format("unknown column '{}': neither an identifier type nor a writable attribute",
                    name),
        "/" + std::string(name));
  }
  role.kind = ColumnRole::kAttribute;
  return role;
}

Status ColumnMap::SetHeader(const std::vector<std::string>& columns) {
  header_roles_.clear();
  for (const std::string& column : columns) {
    Result<ColumnRole> role = RoleOf(column);
    if (!role.ok()) {
      return InvalidArgumentError(fmt::format("the CSV header: {}", role.status().message()),
                                  "/header");
    }
    header_roles_.push_back(std::move(*role));
  }
  const auto has = [&](std::string_view name) {
    return std::find(columns.begin(), columns.end(), name) != columns.end();
  };
  if (!has("cust_no")) {
    return InvalidArgumentError("the CSV header has no cust_no column, which is required",
                                "/header");
  }
  if (kind_ == ImportKind::kBalances && !has("date")) {
    return InvalidArgumentError("the CSV header has no date column, which is required", "/header");
  }
  return Status::Ok();
}

namespace {

// as_of (customers) or date (balances): the time the row's values take.
std::optional<RowReject> ReadTimes(const std::vector<Cell>& cells, const RowContext& ctx,
                                   CheckedRow* row, Timestamp* at) {
  for (const Cell& cell : cells) {
    const bool text = cell.json == nullptr || cell.json->is_string();
    if (cell.role.kind == ColumnRole::kAsOf) {
      Result<Timestamp> as_of = text ? ParseAsOf(cell.text, ctx.calendar)
                                     : Result<Timestamp>(InvalidArgumentError(
                                           "as_of: expected an RFC 3339 timestamp or YYYY-MM-DD"));
      if (!as_of.ok()) return RowReject{"as_of", as_of.status().message()};
      *at = *as_of;
    } else if (cell.role.kind == ColumnRole::kDate) {
      Result<CivilDay> day = text ? ParseDate(TrimSpace(cell.text))
                                  : Result<CivilDay>(InvalidArgumentError("not a string"));
      if (!day.ok()) return RowReject{"date", "date: expected a date YYYY-MM-DD"};
      row->date = *day;
      *at = EndOfDay(ctx.calendar, *day);
    }
  }
  if (ctx.columns.kind() == ImportKind::kBalances && !row->date) {
    return RowReject{"date", "date: required"};
  }
  return std::nullopt;
}

// Every identifier normalised, cust_no (required) first.
std::optional<RowReject> ReadIdentifiers(const std::vector<Cell>& cells, const RowContext& ctx,
                                         CheckedRow* row) {
  for (const Cell& cell : cells) {
    if (cell.role.kind != ColumnRole::kIdentifier) continue;
    std::optional<std::string> text = ScalarText(cell);
    if (!text) return RowReject{cell.role.name, cell.role.name + ": expected a string"};
    Result<std::string> value = ctx.columns.types().Normalize(cell.role.name, *text);
    if (!value.ok()) return RowReject{cell.role.name, value.status().message()};
    row->identifiers.push_back(events::Identifier{cell.role.name, std::move(*value)});
  }
  auto cust_no = std::find_if(row->identifiers.begin(), row->identifiers.end(),
                              [](const events::Identifier& id) { return id.type == "cust_no"; });
  if (cust_no == row->identifiers.end()) return RowReject{"cust_no", "cust_no: required"};
  std::rotate(row->identifiers.begin(), cust_no, cust_no + 1);
  return std::nullopt;
}

Result<PreparedUpdate> PrepareCell(const Cell& cell, const RowContext& ctx, Timestamp at) {
  if (cell.role.kind == ColumnRole::kBalance) {
    std::optional<std::string> text = ScalarText(cell);
    if (!text) return InvalidArgumentError(cell.role.name + ": expected a decimal number");
    return PrepareText(*cell.role.def, *text, at, kImportSource, ctx.scopes);
  }
  if (cell.json == nullptr) {
    return PrepareText(*cell.role.def, cell.text, at, kImportSource, ctx.scopes);
  }
  return Prepare(
      ctx.columns.schema(),
      AttributeUpdate{cell.role.name, UpdateOp::kSet, *cell.json, at, std::string(kImportSource)},
      ctx.scopes);
}

// Every attribute and amount prepared; a store error (scope look-up) is the failed Result.
Result<std::optional<RowReject>> ReadValues(const std::vector<Cell>& cells, const RowContext& ctx,
                                            Timestamp at, CheckedRow* row) {
  std::optional<std::string>* amounts[] = {&row->balances.aum, &row->balances.deposit,
                                           &row->balances.loan, &row->balances.credit_card,
                                           &row->balances.wealth};
  for (const Cell& cell : cells) {
    if (cell.role.kind != ColumnRole::kAttribute && cell.role.kind != ColumnRole::kBalance) {
      continue;
    }
    Result<PreparedUpdate> update = PrepareCell(cell, ctx, at);
    if (!update.ok()) {
      if (update.status().code() != StatusCode::kInvalidArgument) return update.status();
      return std::optional<RowReject>(RowReject{cell.role.name, update.status().message()});
    }
    if (cell.role.kind == ColumnRole::kBalance) {
      const std::string& json = update->value;  // a canonical decimal: "\"523410.25\""
      *amounts[cell.role.balance] = json.substr(1, json.size() - 2);
    }
    row->updates.push_back(std::move(*update));
  }
  return std::optional<RowReject>();
}

}  // namespace

Result<CheckedOrReject> CheckRow(const Record& record, const RowContext& ctx) {
  if (!record.reject.empty()) return Reject("", record.reject);
  auto collected = Cells(record, ctx.columns);
  if (auto* reject = std::get_if<RowReject>(&collected)) return CheckedOrReject(*reject);
  const std::vector<Cell>& cells = std::get<std::vector<Cell>>(collected);
  CheckedRow row;
  row.row = record.row;
  Timestamp at = ctx.default_as_of;
  if (auto reject = ReadTimes(cells, ctx, &row, &at)) return CheckedOrReject(std::move(*reject));
  if (auto reject = ReadIdentifiers(cells, ctx, &row)) return CheckedOrReject(std::move(*reject));
  ASSIGN_OR_RETURN(std::optional<RowReject> reject, ReadValues(cells, ctx, at, &row));
  if (reject) return CheckedOrReject(std::move(*reject));
  return CheckedOrReject(std::move(row));
}

}  // namespace banyan::profile::internal
