// The demo: a city bank in Hangzhou with a head office, three district branches and twelve
// sub-branches (real road addresses, coordinates; demo_bank.h), one login per role, an ingest
// write key — and, unless --customers 0, two to four relationship managers per sub-branch and
// the customers (demo_bank.h): profiles and daily balances imported from NDJSON files written to
// <data_dir>/demo-data/, and their behaviour sent through the real ingestion path.
// Credentials are printed and written to <data_dir>/demo-credentials.json (mode 0600) so scripts
// and the README tour can use them. For demo data directories only (docs/demo.md).
// Thread safety: run from the command line, single-threaded.

#ifndef BANYAN_SERVER_DEMO_H_
#define BANYAN_SERVER_DEMO_H_

#include <string>

#include "base/json.h"
#include "server/app.h"
#include "server/cli.h"
#include "server/demo_bank.h"

namespace banyan::server {

// Event batches stored but not yet durable, at most; keeps the log's writer busy.
inline constexpr int kDemoBatchesInFlightMax = 8;
// How long a batch the log refused as busy (ResourceExhausted) is retried before giving up.
inline constexpr int64_t kDemoStoreRetryMs = 5;
inline constexpr int64_t kDemoStoreRetriesMax = 2000;

// `--customers N --days D --seed S` (defaults: kDemoCustomersDefault, kDemoDaysDefault,
// kDemoSeedDefault). --customers 0 makes the organisation without customers. `now` and
// `time_zone` are left for InitDemo to fill. Errors are InvalidArgument naming the flag.
Result<DemoBankOptions> DemoOptionsFromArgs(const Args& args);

// Creates the demo organisation in an empty data directory, then (when options.customers > 0)
// generates the demo bank as of the clock's now in the configured business time zone, imports
// it and ingests its events, printing progress to stderr. Fails with FailedPrecondition when the
// directory already has branches (never mixes demo data into a real organisation). Returns the
// credentials document that was written.
Result<Json> InitDemo(App& app, const DemoBankOptions& options);

// Reads <data_dir>/demo-credentials.json.
Result<Json> ReadDemoCredentials(const std::string& data_dir);

// Human-readable login instructions for `credentials`, for the terminal.
std::string DescribeDemo(const Json& credentials, const std::string& url);

}  // namespace banyan::server

#endif  // BANYAN_SERVER_DEMO_H_
