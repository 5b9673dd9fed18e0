// The `banyan` binary: dispatches to the commands in cli.h.

#include <fmt/format.h>

#include <cstdio>

#include "server/cli.h"

namespace {

constexpr const char* kUsage = R"(usage: banyan COMMAND [flags]

commands:
  serve                      run the server (HTTP API, ingestion, console)
  admin create-user          create a staff account:
                               --username NAME --role ROLE [--display-name NAME]
                               [--branch CODE] [--password-stdin]
  demo init                  create the demo bank in an empty data directory (docs/demo.md):
                               [--customers N] [--days D] [--seed S]; --customers 0: logins only
  demo show                  print the demo logins
  audit verify               verify the audit log's keyed hash chain
  import events FILE         bulk-load events (NDJSON or CSV, .gz accepted; --format ndjson|csv)
                             through the same normalisation and dedup as the SDK endpoints
  import customers FILE      load core-banking customers (CSV or NDJSON; docs/profiles.md):
                             idempotent, resumable, rejects listed in FILE.rejects.ndjson
  import balances FILE       load daily balance snapshots (CSV or NDJSON)
  events repair              move a damaged part of the event log to events/quarantine/
  privacy rotate-key         new master key for personal data; rewraps every person's key
  segment count "EXPR"       how many customers match a segment expression (docs/segments.md);
                             offline: rebuilds the engine from the data directory; [--json]
  config show                print the effective configuration
  config keys                list every configuration key (markdown)
  version                    print the version

flags for every command:
  --config FILE              TOML configuration (or set BANYAN_CONFIG)
  --data-dir DIR             data directory (server.data_dir)
  --listen HOST:PORT         listen address (server.listen)
)";

}  // namespace

int main(int argc, char** argv) {
  using namespace banyan::server;
  auto args = ParseArgs(argc, argv, {"password-stdin", "help", "json"});
  if (!args.ok()) {
    std::fprintf(stderr, "banyan: %s\n%s", args.status().message().c_str(), kUsage);
    return 2;
  }
  const auto& words = args->words;
  const std::string command = words.empty() ? "" : words[0];
  const std::string sub = words.size() > 1 ? words[1] : "";
  if (command.empty() || args->flags.count("help") || command == "help") {
    std::fputs(kUsage, command.empty() ? stderr : stdout);
    return command.empty() ? 2 : 0;
  }
  if (command == "serve") return RunServe(*args);
  if (command == "admin" && sub == "create-user") return RunAdminCreateUser(*args);
  if (command == "demo") return RunDemo(*args);
  if (command == "audit" && sub == "verify") return RunAuditVerify(*args);
  if (command == "config") return RunConfig(*args);
  if (command == "import" && sub == "events") return RunImportEvents(*args);
  if (command == "import" && sub == "customers") return RunImportCustomers(*args);
  if (command == "import" && sub == "balances") return RunImportBalances(*args);
  if (command == "events" && sub == "repair") return RunEventsRepair(*args);
  if (command == "privacy" && sub == "rotate-key") return RunPrivacyRotateKey(*args);
  if (command == "segment" && sub == "count") return RunSegmentCount(*args);
  if (command == "version") {
    std::printf("banyan %s\n", BANYAN_VERSION);
    return 0;
  }
  std::fprintf(stderr, "banyan: unknown command '%s'\n%s", command.c_str(), kUsage);
  return 2;
}
