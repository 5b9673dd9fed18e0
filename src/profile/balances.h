// BalanceStore: daily balance snapshots of one person (table balance_snapshot), for AUM trends.
//
// One row per person and business date holds the amounts known for that date, sealed together
// under the person's data key (associated data "balance/<person_id>/<YYYY-MM-DD>") as JSON
// {"aum":"523410.25","deposit":"...","loan":"...","credit_card":"...","wealth":"..."} (yuan,
// canonical decimals with at most 2 fraction digits; absent amounts are not known). Amounts are
// summed exactly, as int64 fen — never as doubles.
//
// Used by: import (banyan import balances), the demo generator, the api (customer 360 trends).
// Thread safety: safe from any thread; keys, random and clock must outlive it.

#ifndef BANYAN_PROFILE_BALANCES_H_
#define BANYAN_PROFILE_BALANCES_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/random.h"
#include "base/result.h"
#include "base/time.h"
#include "privacy/person_keys.h"
#include "profile/update.h"
#include "store/database.h"

namespace banyan::profile {

inline constexpr int64_t kBalanceRangeDaysMax = 3700;  // a Range covers at most ~10 years

// Amounts in yuan as decimal text ("523410.25"); nullopt when not known.
struct Balances {
  std::optional<std::string> aum{};
  std::optional<std::string> deposit{};
  std::optional<std::string> loan{};
  std::optional<std::string> credit_card{};
  std::optional<std::string> wealth{};

  bool empty() const { return !aum && !deposit && !loan && !credit_card && !wealth; }
  bool operator==(const Balances&) const = default;
};

struct DailyBalances {
  CivilDay date;
  Balances balances;
};

// The names of Balances' members as stored and as import columns map onto them:
// aum, deposit (deposit_balance), loan (loan_balance), credit_card (credit_card_balance),
// wealth (wealth_balance).
inline constexpr std::string_view kBalanceKeys[] = {"aum", "deposit", "loan", "credit_card",
                                                    "wealth"};

// Checks and canonicalises every amount of `balances`: InvalidArgument naming the member
// ("/deposit") for text that is not a decimal with at most 2 fraction digits.
Result<Balances> NormalizeBalances(const Balances& balances);

class BalanceStore {
 public:
  BalanceStore(privacy::PersonKeys& keys, Random& random, const Clock& clock);

  // Records `balances` of `person` on `date`: amounts given replace those held for that date,
  // amounts not given are kept. InvalidArgument for a bad amount (nothing written).
  Status Put(store::Transaction& tx, PersonId person, CivilDay date, const Balances& balances);
  // Per date from `from` to `to` (inclusive, ascending), the sums over `members` of the amounts
  // each holds; an amount is present when any member has it on that date. Dates with no
  // snapshot are left out. InvalidArgument when to < from, the range exceeds
  // kBalanceRangeDaysMax days or there are more than kMembersMax members.
  Result<std::vector<DailyBalances>> Range(store::Transaction& tx,
                                           std::span<const PersonId> members, CivilDay from,
                                           CivilDay to);
  // Removes every snapshot of `members`.
  Status Erase(store::Transaction& tx, std::span<const PersonId> members);

 private:
  privacy::PersonKeys& keys_;
  Random& random_;
  const Clock& clock_;
};

std::string BalanceAssociatedData(PersonId person, CivilDay date);

}  // namespace banyan::profile

#endif  // BANYAN_PROFILE_BALANCES_H_
