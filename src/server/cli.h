// Command-line parsing and the commands of the `banyan` binary.
//
//   banyan serve                        run the server
//   banyan admin create-user ...        create a staff account (the first admin, typically)
//   banyan demo init | demo show        create / show the demo organisation
//   banyan audit verify                 check the audit log's hash chain
//   banyan import events FILE           bulk-load events (NDJSON or CSV, gzip accepted)
//   banyan events repair                quarantine a damaged part of the event log
//   banyan config show | config keys    effective configuration / every key, documented
//   banyan version
// Common flags: --config FILE (or BANYAN_CONFIG), --data-dir DIR, --listen HOST:PORT.
// Thread safety: single-threaded, at start-up.

#ifndef BANYAN_SERVER_CLI_H_
#define BANYAN_SERVER_CLI_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/config.h"
#include "base/result.h"

namespace banyan::server {

struct Args {
  std::vector<std::string> words;            // command words, e.g. {"admin", "create-user"}
  std::map<std::string, std::string> flags;  // --name value / --name=value / --switch → ""
  std::optional<std::string> Flag(const std::string& name) const;
};

// Parses argv. Flags in `switches` take no value.
Result<Args> ParseArgs(int argc, char** argv, const std::vector<std::string>& switches);
// Loads the configuration named by --config or BANYAN_CONFIG, with --data-dir and --listen
// applied on top.
Result<Config> LoadConfigFor(const Args& args);

// Each returns the process exit code.
int RunServe(const Args& args);
int RunAdminCreateUser(const Args& args);
int RunDemo(const Args& args);
int RunAuditVerify(const Args& args);
int RunConfig(const Args& args);
int RunImportEvents(const Args& args);
int RunEventsRepair(const Args& args);
int RunPrivacyRotateKey(const Args& args);
int RunImportCustomers(const Args& args);
int RunImportBalances(const Args& args);
int RunSegmentCount(const Args& args);

// Prints `status` as "banyan: <message>" to stderr and returns 1 (or 2 for usage errors).
int Fail(const Status& status);

}  // namespace banyan::server

#endif  // BANYAN_SERVER_CLI_H_
