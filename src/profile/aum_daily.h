// AUM over time: bank-wide daily sums of the balance snapshots (table aum_daily), kept by
// BalanceStore as snapshots are written, replaced and erased, so a series by tier, branch or
// relationship manager reads a few thousand cells per day instead of decrypting every
// customer's snapshot.
//
// A cell is (business date, home branch, relationship manager, AUM band): the branch and manager
// the customer had when the snapshot was written (0 = none), and the band of the snapshot's AUM
// (kNoAumBand when it has none). Bands follow a 1-2-5 series of yuan amounts (kAumBandEdges), so
// any tier whose bounds are band edges — the built-in 50k / 500k / 10M ones among them — is a
// union of bands. Each snapshot records where it was counted (balance_snapshot.counted_*), and a
// replacement or an erasure takes back exactly what it added.
//
// Used by: BalanceStore (maintenance), CustomerService::AumDaily (scoped reads for analytics).
// Thread safety: stateless functions over a transaction.

#ifndef BANYAN_PROFILE_AUM_DAILY_H_
#define BANYAN_PROFILE_AUM_DAILY_H_

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "base/result.h"
#include "base/time.h"
#include "store/database.h"

namespace banyan::profile {

// Lower edges of the AUM bands in fen: band i holds [kAumBandEdges[i], kAumBandEdges[i + 1]);
// band 0 also holds amounts below 0 and the last band has no upper edge.
inline constexpr int64_t kAumBandEdges[] = {0,
                                            1'000'000,
                                            2'000'000,
                                            5'000'000,
                                            10'000'000,
                                            20'000'000,
                                            50'000'000,
                                            100'000'000,
                                            200'000'000,
                                            500'000'000,
                                            1'000'000'000,
                                            2'000'000'000,
                                            5'000'000'000,
                                            10'000'000'000,
                                            20'000'000'000};
inline constexpr int kAumBands = static_cast<int>(std::size(kAumBandEdges));
inline constexpr int kNoAumBand = -1;

// The band of an AUM in fen (kNoAumBand for none).
int AumBand(std::optional<int64_t> aum_fen);

// The amounts a cell sums, in fen, in the order of kBalanceKeys (aum, deposit, loan,
// credit_card, wealth).
using BalanceFen = std::array<int64_t, 5>;

struct AumCellKey {
  int64_t branch_id = 0;  // 0: none
  int64_t rm_id = 0;      // 0: none
  int band = kNoAumBand;
  bool operator==(const AumCellKey&) const = default;
};

struct AumCell {
  CivilDay date;
  AumCellKey key;
  int64_t customers = 0;    // snapshots counted
  int64_t aum_holders = 0;  // of them with an AUM
  BalanceFen fen{};
};

// Adds (sign +1) or takes back (sign -1) one snapshot's amounts (absent ones as 0) in the cell
// of `date` and `key`; a cell left with no customers is removed.
Status CountInAumDaily(store::Transaction& tx, CivilDay date, const AumCellKey& key,
                       const BalanceFen& fen, bool has_aum, int sign);

// Which cells a reader may see: all, those of some home branches, or one manager's.
struct AumCellScope {
  std::optional<std::vector<int64_t>> branch_ids{};  // nullopt: any
  std::optional<int64_t> rm_id{};                    // nullopt: any
};

// The cells from `from` to `to` (inclusive) in `scope`, by date. InvalidArgument when to < from
// or the range exceeds kBalanceRangeDaysMax days.
Result<std::vector<AumCell>> ReadAumDaily(store::Transaction& tx, CivilDay from, CivilDay to,
                                          const AumCellScope& scope);

}  // namespace banyan::profile

#endif  // BANYAN_PROFILE_AUM_DAILY_H_
