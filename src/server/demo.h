// The demo organisation: a city bank in Hangzhou with a head office, three district branches
// and twelve sub-branches (real road addresses, coordinates), one login per role, and an ingest
// write key. Credentials are printed and written to <data_dir>/demo-credentials.json (mode 0600)
// so scripts and the README tour can use them. For demo data directories only.
// Thread safety: run from the command line, single-threaded.

#ifndef BANYAN_SERVER_DEMO_H_
#define BANYAN_SERVER_DEMO_H_

#include <string>

#include "base/json.h"
#include "server/app.h"

namespace banyan::server {

// Creates the demo organisation in an empty data directory. Fails with FailedPrecondition when
// the directory already has branches (never mixes demo data into a real organisation).
// Returns the credentials document that was written.
Result<Json> InitDemo(App& app);

// Reads <data_dir>/demo-credentials.json.
Result<Json> ReadDemoCredentials(const std::string& data_dir);

// Human-readable login instructions for `credentials`, for the terminal.
std::string DescribeDemo(const Json& credentials, const std::string& url);

}  // namespace banyan::server

#endif  // BANYAN_SERVER_DEMO_H_
