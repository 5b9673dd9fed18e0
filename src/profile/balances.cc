#include "profile/balances.h"

#include <fmt/format.h>

#include <array>
#include <map>
#include <tuple>

#include "base/json.h"
#include "privacy/sealer.h"
#include "profile/aum_daily.h"
#include "profile/internal/decimal.h"
#include "profile/internal/text.h"
#include "profile/profile_store.h"

namespace banyan::profile {
namespace {

constexpr int kAmountScale = 2;
constexpr size_t kBalanceFields = std::size(kBalanceKeys);

std::array<std::optional<std::string>*, kBalanceFields> Fields(Balances& b) {
  return {&b.aum, &b.deposit, &b.loan, &b.credit_card, &b.wealth};
}

std::array<const std::optional<std::string>*, kBalanceFields> Fields(const Balances& b) {
  return {&b.aum, &b.deposit, &b.loan, &b.credit_card, &b.wealth};
}

std::string Serialize(const Balances& balances) {
  std::string out = "{";
  const auto fields = Fields(balances);
  for (size_t i = 0; i < kBalanceFields; ++i) {
    if (!*fields[i]) continue;
    if (out.size() > 1) out.push_back(',');
    internal::AppendJsonString(kBalanceKeys[i], &out);
    out.push_back(':');
    internal::AppendJsonString(**fields[i], &out);
  }
  out.push_back('}');
  return out;
}

Result<Balances> Parse(std::string_view json) {
  Result<Json> parsed = ParseJson(json);
  if (!parsed.ok() || !parsed->is_object()) {
    return DataLossError("balance snapshot is malformed");
  }
  Balances balances;
  const auto fields = Fields(balances);
  for (size_t i = 0; i < kBalanceFields; ++i) {
    auto it = parsed->find(kBalanceKeys[i]);
    if (it == parsed->end()) continue;
    if (!it->is_string()) return DataLossError("balance snapshot is malformed");
    *fields[i] = it->get<std::string>();
  }
  return balances;
}

// The amounts of `balances` in fen (absent ones 0), in the order of kBalanceKeys.
Result<BalanceFen> ToFen(const Balances& balances) {
  BalanceFen fen{};
  const auto fields = Fields(balances);
  for (size_t i = 0; i < kBalanceFields; ++i) {
    if (!*fields[i]) continue;
    Result<int64_t> value = internal::ParseDecimal(**fields[i], kAmountScale);
    if (!value.ok()) return DataLossError("balance snapshot holds a malformed amount");
    fen[i] = *value;
  }
  return fen;
}

// Takes a held snapshot's amounts back out of the cell it was counted in.
Status Uncount(store::Transaction& tx, CivilDay date, const AumCellKey& cell,
               const Balances& balances) {
  ASSIGN_OR_RETURN(const BalanceFen fen, ToFen(balances));
  return CountInAumDaily(tx, date, cell, fen, balances.aum.has_value(), -1);
}

}  // namespace

std::string BalanceAssociatedData(PersonId person, CivilDay date) {
  return fmt::format("balance/{}/{}", person, FormatDate(date));
}

Result<Balances> NormalizeBalances(const Balances& balances) {
  Balances out;
  const auto in = Fields(balances);
  const auto fields = Fields(out);
  for (size_t i = 0; i < kBalanceFields; ++i) {
    if (!*in[i]) continue;
    Result<int64_t> fen = internal::ParseDecimal(internal::TrimSpace(**in[i]), kAmountScale);
    if (!fen.ok()) {
      return InvalidArgumentError(fmt::format("{}: {}", kBalanceKeys[i], fen.status().message()),
                                  "/" + std::string(kBalanceKeys[i]));
    }
    *fields[i] = internal::FormatDecimal(*fen, kAmountScale);
  }
  return out;
}

BalanceStore::BalanceStore(privacy::PersonKeys& keys, Random& random, const Clock& clock)
    : keys_(keys), random_(random), clock_(clock) {}

Status BalanceStore::Put(store::Transaction& tx, PersonId person, CivilDay date,
                         const Balances& balances) {
  ASSIGN_OR_RETURN(Balances merged, NormalizeBalances(balances));
  const std::string associated = BalanceAssociatedData(person, date);
  const std::string day = FormatDate(date);
  std::optional<std::string> held;
  std::optional<AumCellKey> counted;  // where the held snapshot is counted in aum_daily
  RETURN_IF_ERROR(tx.Query(
      "SELECT sealed, counted_branch_id, counted_rm_id, counted_band FROM balance_snapshot "
      "WHERE person_id = ? AND date = ?",
      {person, day},
      [&](const store::Row& row) {
        held = row.Bytes(0);
        if (!row.IsNull(3))
          counted = AumCellKey{row.Int(1), row.Int(2), static_cast<int>(row.Int(3))};
        return Status::Ok();
      },
      1));
  ASSIGN_OR_RETURN(privacy::DataKey key, keys_.GetOrCreate(tx, person));
  if (held) {
    ASSIGN_OR_RETURN(const std::string json, privacy::Open(key, *held, associated));
    ASSIGN_OR_RETURN(const Balances old, Parse(json));
    const auto from = Fields(old);
    const auto into = Fields(merged);
    for (size_t i = 0; i < kBalanceFields; ++i) {
      if (!*into[i]) *into[i] = *from[i];
    }
    if (merged == old && counted) return Status::Ok();
    if (counted) RETURN_IF_ERROR(Uncount(tx, date, *counted, old));
  }
  // Counted under the branch and manager the customer has now (the profile is written first in
  // an import batch).
  AumCellKey cell;
  RETURN_IF_ERROR(tx.Query(
      "SELECT home_branch_id, rm_id FROM profile WHERE person_id = ?", {person},
      [&](const store::Row& row) {
        cell.branch_id = row.Int(0);
        cell.rm_id = row.Int(1);
        return Status::Ok();
      },
      1));
  ASSIGN_OR_RETURN(const BalanceFen fen, ToFen(merged));
  cell.band = AumBand(merged.aum ? std::optional<int64_t>(fen[0]) : std::nullopt);
  RETURN_IF_ERROR(CountInAumDaily(tx, date, cell, fen, merged.aum.has_value(), +1));
  const std::string sealed = privacy::Seal(key, Serialize(merged), associated, random_);
  return tx.Execute(
      "INSERT INTO balance_snapshot (person_id, date, sealed, updated_at, counted_branch_id, "
      "counted_rm_id, counted_band) VALUES (?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (person_id, date) DO UPDATE SET sealed = excluded.sealed, "
      "updated_at = excluded.updated_at, counted_branch_id = excluded.counted_branch_id, "
      "counted_rm_id = excluded.counted_rm_id, counted_band = excluded.counted_band",
      {person, day, store::Blob{sealed}, ToUnixMicros(clock_.Now()), cell.branch_id, cell.rm_id,
       int64_t{cell.band}});
}

Result<std::vector<DailyBalances>> BalanceStore::Range(store::Transaction& tx,
                                                       std::span<const PersonId> members,
                                                       CivilDay from, CivilDay to) {
  RETURN_IF_ERROR(CheckMembers(members));
  if (to < from) return InvalidArgumentError("to: before from", "/to");
  if (to - from >= kBalanceRangeDaysMax) {
    return InvalidArgumentError(fmt::format("to: the range exceeds {} days", kBalanceRangeDaysMax),
                                "/to");
  }
  // Sums in fen per date and member field; present[i] says whether any member had field i.
  struct Sum {
    std::array<int64_t, kBalanceFields> fen{};
    std::array<bool, kBalanceFields> present{};
  };
  std::map<CivilDay, Sum> sums;
  for (PersonId person : members) {
    std::vector<std::pair<std::string, std::string>> rows;  // date, sealed
    RETURN_IF_ERROR(
        tx.Query("SELECT date, sealed FROM balance_snapshot WHERE person_id = ? AND date >= ? AND "
                 "date <= ? ORDER BY date",
                 {person, FormatDate(from), FormatDate(to)}, [&](const store::Row& row) {
                   rows.emplace_back(row.Text(0), row.Bytes(1));
                   return Status::Ok();
                 }));
    if (rows.empty()) continue;
    ASSIGN_OR_RETURN(privacy::DataKey key, keys_.Get(tx, person));
    for (const auto& [text, sealed] : rows) {
      ASSIGN_OR_RETURN(const CivilDay day, ParseDate(text));
      ASSIGN_OR_RETURN(const std::string json,
                       privacy::Open(key, sealed, BalanceAssociatedData(person, day)));
      ASSIGN_OR_RETURN(const Balances balances, Parse(json));
      Sum& sum = sums[day];
      const auto fields = Fields(balances);
      for (size_t i = 0; i < kBalanceFields; ++i) {
        if (!*fields[i]) continue;
        Result<int64_t> fen = internal::ParseDecimal(**fields[i], kAmountScale);
        if (!fen.ok()) return DataLossError("balance snapshot holds a malformed amount");
        Result<int64_t> total = internal::AddDecimal(sum.fen[i], *fen, kAmountScale);
        if (!total.ok()) return InvalidArgumentError(total.status().message());
        sum.fen[i] = *total;
        sum.present[i] = true;
      }
    }
  }
  std::vector<DailyBalances> out;
  out.reserve(sums.size());
  for (const auto& [day, sum] : sums) {
    DailyBalances daily{day, {}};
    const auto fields = Fields(daily.balances);
    for (size_t i = 0; i < kBalanceFields; ++i) {
      if (sum.present[i]) *fields[i] = internal::FormatDecimal(sum.fen[i], kAmountScale);
    }
    out.push_back(std::move(daily));
  }
  return out;
}

Status BalanceStore::Erase(store::Transaction& tx, std::span<const PersonId> members) {
  RETURN_IF_ERROR(CheckMembers(members));
  for (PersonId person : members) {
    // The person's amounts leave the bank-wide daily sums too. REQUIRES: the person's key is
    // not shredded yet (CustomerService::Erase erases balances first).
    std::vector<std::tuple<std::string, std::string, AumCellKey>> counted;  // date, sealed, cell
    RETURN_IF_ERROR(tx.Query(
        "SELECT date, sealed, counted_branch_id, counted_rm_id, counted_band FROM "
        "balance_snapshot WHERE person_id = ? AND counted_band IS NOT NULL",
        {person}, [&](const store::Row& row) {
          counted.emplace_back(row.Text(0), row.Bytes(1),
                               AumCellKey{row.Int(2), row.Int(3), static_cast<int>(row.Int(4))});
          return Status::Ok();
        }));
    if (!counted.empty()) {
      ASSIGN_OR_RETURN(privacy::DataKey key, keys_.Get(tx, person));
      for (const auto& [text, sealed, cell] : counted) {
        ASSIGN_OR_RETURN(const CivilDay day, ParseDate(text));
        ASSIGN_OR_RETURN(const std::string json,
                         privacy::Open(key, sealed, BalanceAssociatedData(person, day)));
        ASSIGN_OR_RETURN(const Balances balances, Parse(json));
        RETURN_IF_ERROR(Uncount(tx, day, cell, balances));
      }
    }
    RETURN_IF_ERROR(tx.Execute("DELETE FROM balance_snapshot WHERE person_id = ?", {person}));
  }
  return Status::Ok();
}

}  // namespace banyan::profile
