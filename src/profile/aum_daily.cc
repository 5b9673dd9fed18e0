#include "profile/aum_daily.h"

#include <fmt/format.h>

#include <algorithm>

#include "profile/balances.h"

namespace banyan::profile {

int AumBand(std::optional<int64_t> aum_fen) {
  if (!aum_fen) return kNoAumBand;
  const auto* edge = std::upper_bound(std::begin(kAumBandEdges), std::end(kAumBandEdges), *aum_fen);
  return std::max(0, static_cast<int>(edge - std::begin(kAumBandEdges)) - 1);
}

Status CountInAumDaily(store::Transaction& tx, CivilDay date, const AumCellKey& key,
                       const BalanceFen& fen, bool has_aum, int sign) {
  const std::string day = FormatDate(date);
  RETURN_IF_ERROR(tx.Execute(
      "INSERT INTO aum_daily (date, branch_id, rm_id, band, customers, aum_holders, aum, deposit, "
      "loan, credit_card, wealth) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (date, branch_id, rm_id, band) DO UPDATE SET "
      "customers = customers + excluded.customers, aum_holders = aum_holders + "
      "excluded.aum_holders, aum = aum + excluded.aum, deposit = deposit + excluded.deposit, "
      "loan = loan + excluded.loan, credit_card = credit_card + excluded.credit_card, "
      "wealth = wealth + excluded.wealth",
      {day, key.branch_id, key.rm_id, static_cast<int64_t>(key.band), int64_t{sign},
       int64_t{has_aum ? sign : 0}, sign * fen[0], sign * fen[1], sign * fen[2], sign * fen[3],
       sign * fen[4]}));
  if (sign > 0) return Status::Ok();
  return tx.Execute(
      "DELETE FROM aum_daily WHERE date = ? AND branch_id = ? AND rm_id = ? AND band = ? AND "
      "customers <= 0",
      {day, key.branch_id, key.rm_id, static_cast<int64_t>(key.band)});
}

Result<std::vector<AumCell>> ReadAumDaily(store::Transaction& tx, CivilDay from, CivilDay to,
                                          const AumCellScope& scope) {
  if (to < from) return InvalidArgumentError("to: before from", "/to");
  if (to - from >= kBalanceRangeDaysMax) {
    return InvalidArgumentError(
        fmt::format("to: the range exceeds {} days (kBalanceRangeDaysMax)", kBalanceRangeDaysMax),
        "/to");
  }
  std::string sql =
      "SELECT date, branch_id, rm_id, band, customers, aum_holders, aum, deposit, loan, "
      "credit_card, wealth FROM aum_daily WHERE date >= ? AND date <= ?";
  std::vector<store::Value> params = {FormatDate(from), FormatDate(to)};
  if (scope.rm_id) {
    sql += " AND rm_id = ?";
    params.emplace_back(*scope.rm_id);
  }
  if (scope.branch_ids) {
    if (scope.branch_ids->empty()) return std::vector<AumCell>();
    sql += " AND branch_id IN (";
    for (size_t i = 0; i < scope.branch_ids->size(); ++i) {
      sql += i == 0 ? "?" : ", ?";
      params.emplace_back((*scope.branch_ids)[i]);
    }
    sql += ")";
  }
  sql += " ORDER BY date";
  std::vector<AumCell> cells;
  RETURN_IF_ERROR(tx.Query(sql, params, [&](const store::Row& row) {
    Result<CivilDay> date = ParseDate(row.Text(0));
    if (!date.ok()) return DataLossError("aum_daily holds a malformed date");
    AumCell cell;
    cell.date = *date;
    cell.key = {row.Int(1), row.Int(2), static_cast<int>(row.Int(3))};
    cell.customers = row.Int(4);
    cell.aum_holders = row.Int(5);
    for (size_t i = 0; i < cell.fen.size(); ++i) cell.fen[i] = row.Int(6 + static_cast<int>(i));
    cells.push_back(cell);
    return Status::Ok();
  }));
  return cells;
}

}  // namespace banyan::profile
