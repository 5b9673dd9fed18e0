#include "profile/balances.h"

#include <fmt/format.h>

#include <array>
#include <map>

#include "base/json.h"
#include "privacy/sealer.h"
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
  RETURN_IF_ERROR(tx.Query(
      "SELECT sealed FROM balance_snapshot WHERE person_id = ? AND date = ?", {person, day},
      [&](const store::Row& row) {
        held = row.Bytes(0);
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
    if (merged == old) return Status::Ok();
  }
  const std::string sealed = privacy::Seal(key, Serialize(merged), associated, random_);
  return tx.Execute(
      "INSERT INTO balance_snapshot (person_id, date, sealed, updated_at) VALUES (?, ?, ?, ?) "
      "ON CONFLICT (person_id, date) DO UPDATE SET sealed = excluded.sealed, "
      "updated_at = excluded.updated_at",
      {person, day, store::Blob{sealed}, ToUnixMicros(clock_.Now())});
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
    RETURN_IF_ERROR(tx.Execute("DELETE FROM balance_snapshot WHERE person_id = ?", {person}));
  }
  return Status::Ok();
}

}  // namespace banyan::profile
