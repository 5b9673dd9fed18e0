// Bulk import from core banking: `banyan import customers FILE` and `banyan import balances FILE`.
//
// Formats (docs/profiles.md has the full contract): CSV with a header row (RFC 4180, UTF-8,
// optional BOM) or NDJSON, chosen by the extension (.csv / .ndjson / .jsonl).
//   customers — identifier columns by type name (cust_no required; id_card, phone, email,
//               wechat_unionid, wechat_openid, alipay_user_id, douyin_id, app_user_id,
//               wecom_external_userid, device_id, ...), attribute columns by schema name, and
//               `as_of` (RFC 3339, or YYYY-MM-DD meaning the end of that business day; default:
//               the import's start time), the time the values were true, for last-write-wins.
//   balances  — cust_no and date (YYYY-MM-DD) required; aum, deposit_balance, loan_balance,
//               credit_card_balance, wealth_balance (yuan). Each row also sets the customer's
//               balance attributes as of the end of that date, so the newest date wins.
// Empty CSV cells, absent or null NDJSON members mean "not given", never "clear".
//
// Behaviour:
//   * A file that cannot be read as its format at all — bad or unknown CSV header columns, a
//     missing required column, NDJSON whose first line is not an object — fails with
//     InvalidArgument before anything is imported.
//   * Rows go in batches of `batch_rows`, each in one transaction: the batch's rows are checked
//     (every identifier normalised, every attribute normalised, branch codes and staff usernames
//     looked up) and a row with any bad field is rejected whole; accepted rows are resolved
//     through the identity graph (evidence source "import"), then the graph is flushed, the
//     profiles (and snapshots) written and import_progress advanced in the same transaction.
//   * Idempotent: progress is keyed by the file's SHA-256 and kind. Importing a file that
//     finished before changes nothing (already_done); every write is last-write-wins or an
//     upsert, and the default as_of is the first run's start time, so replaying rows does not
//     change values.
//   * Resumable: after a crash (or a failed batch) a re-run skips to the byte offset after the
//     last committed batch. Reading, checking and OneID resolution run on a second thread one
//     batch ahead of the writes, so a batch's transaction may also flush OneIDs of the next
//     batch; after a crash those persons exist without their profile, and the re-run resolves
//     the rows to them again.
//   * Rejects go to an NDJSON report (default "<FILE>.rejects.ndjson", mode 0600 — it holds the
//     rejected lines, personal data like the input): {"row":n,"line":"...","field":"phone",
//     "error":"..."}; "field" is null when the row as a whole is unreadable. A balances row whose
//     cust_no no customer holds is rejected.
//
// Used by: the server's `banyan import` commands, the demo generator, bench/import.
// Thread safety: one import at a time per graph (it drives the graph's Flush); the deps must
// outlive the call.

#ifndef BANYAN_PROFILE_IMPORT_H_
#define BANYAN_PROFILE_IMPORT_H_

#include <cstdint>
#include <functional>
#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "base/time.h"
#include "identity/graph.h"
#include "profile/balances.h"
#include "profile/profile_store.h"
#include "profile/schema.h"
#include "store/database.h"

namespace banyan::profile {

inline constexpr int64_t kImportBatchRowsDefault = 5000;
// A batch's identity changes stay below identity::kPendingChangesMax (a row makes at most a
// person and one change per identifier column).
inline constexpr int64_t kImportBatchRowsMax = 20'000;
inline constexpr int64_t kImportProgressEveryRowsDefault = 100'000;
// Further limits: internal/record_reader.h (kImportRowBytesMax = 64 KiB per row,
// kImportColumnsMax = 64 columns).

struct ImportProgress {
  int64_t rows = 0;  // rows read so far, earlier runs of a resumed import included
  int64_t imported = 0;
  int64_t rejected = 0;
  double seconds = 0;     // this run
  double rows_per_s = 0;  // this run
};

struct ImportOptions {
  std::string path{};
  std::string reject_path{};                                      // empty: path + ".rejects.ndjson"
  int64_t batch_rows = kImportBatchRowsDefault;                   // 1..kImportBatchRowsMax
  int64_t progress_every_rows = kImportProgressEveryRowsDefault;  // >= 1
  std::function<void(const ImportProgress&)> on_progress{};       // may be empty
  // Called inside each batch's transaction before it commits, with the batch number (from 0,
  // this run); an error rolls the batch back and ends the import with that error. For fault
  // tests.
  std::function<Status(int64_t batch)> before_commit{};
};

struct ImportDeps {
  store::Database& db;
  identity::IdentityGraph& graph;
  const AttributeSchema& schema;
  ProfileStore& profiles;
  BalanceStore& balances;
  const Clock& clock;
  const BusinessCalendar& calendar;
};

struct ImportReport {
  std::string kind;  // "customers" or "balances"
  std::string file_sha256;
  std::string reject_path;
  bool already_done = false;      // the file was imported before; nothing was done
  int64_t resumed_after_row = 0;  // rows committed by earlier runs (0: a fresh import)
  int64_t rows = 0;               // all rows of the file read, earlier runs included
  int64_t imported = 0;
  int64_t rejected = 0;
  int64_t persons_created = 0;  // this run
  int64_t merges = 0;           // this run
  int64_t conflicts = 0;        // this run
  ApplyReport attributes;       // this run
  double seconds = 0;           // this run
};

Result<ImportReport> ImportCustomers(const ImportOptions& options, ImportDeps& deps);
Result<ImportReport> ImportBalances(const ImportOptions& options, ImportDeps& deps);

}  // namespace banyan::profile

#endif  // BANYAN_PROFILE_IMPORT_H_
