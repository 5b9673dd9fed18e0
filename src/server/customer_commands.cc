// `banyan privacy rotate-key`, `banyan import customers FILE` and `banyan import balances FILE`:
// offline commands over the customer data (they take the data directory's lock, so the server
// must be stopped).

#include <fmt/format.h>

#include <cstdio>

#include "privacy/person_keys.h"
#include "server/app.h"
#include "server/cli.h"

namespace banyan::server {

int RunPrivacyRotateKey(const Args& args) {
  if (args.words.size() != 2) return Fail(InvalidArgumentError("usage: banyan privacy rotate-key"));
  auto config = LoadConfigFor(args);
  if (!config.ok()) return Fail(config.status());
  auto app = App::Open(*config, /*exclusive=*/true);
  if (!app.ok()) return Fail(app.status());
  if (Status s = (*app)->OpenKeyRing(); !s.ok()) return Fail(s);
  auto report = privacy::RotateMasterKey((*app)->keyring(), (*app)->person_keys(), (*app)->db(),
                                         SecureRandom::Get());
  if (!report.ok()) return Fail(report.status());
  std::printf(
      "rotated the master key of %s: version %u -> %u, %lld person keys rewrapped; older "
      "versions retired\n",
      (*app)->KeyRingPath().c_str(), report->old_version, report->new_version,
      static_cast<long long>(report->keys_rewrapped));
  return 0;
}

namespace {

// `banyan import customers|balances FILE`. Exit 0 when every row was imported, 1 when some were
// rejected (the report names where), 2 for usage errors; a failure that stops the import prints
// its cause and exits 1 — re-running resumes after the last committed batch.
int RunImportProfiles(const Args& args, bool customers) {
  const char* kind = customers ? "customers" : "balances";
  if (args.words.size() != 3) {
    return Fail(InvalidArgumentError(fmt::format("usage: banyan import {} FILE", kind)));
  }
  const std::string path = args.words[2];
  auto config = LoadConfigFor(args);
  if (!config.ok()) return Fail(config.status());
  auto app = App::Open(*config, /*exclusive=*/true);
  if (!app.ok()) return Fail(app.status());
  if (Status s = (*app)->OpenEvents(); !s.ok()) return Fail(s);
  if (Status s = (*app)->OpenCustomers(); !s.ok()) return Fail(s);
  auto report = customers ? (*app)->ImportCustomers(path) : (*app)->ImportBalances(path);
  if (!report.ok()) return Fail(report.status().WithContext(fmt::format("import {}", path)));
  if (report->already_done) {
    std::printf("%s was imported before (sha256 %s); nothing to do\n", path.c_str(),
                report->file_sha256.c_str());
    return 0;
  }
  std::printf(
      "imported %s %s: %lld rows, %lld imported, %lld rejected, %lld new customers, %lld merges, "
      "%lld identity conflicts, %.1f s%s\n",
      kind, path.c_str(), static_cast<long long>(report->rows),
      static_cast<long long>(report->imported), static_cast<long long>(report->rejected),
      static_cast<long long>(report->persons_created), static_cast<long long>(report->merges),
      static_cast<long long>(report->conflicts), report->seconds,
      report->resumed_after_row > 0
          ? fmt::format(" (resumed after row {})", report->resumed_after_row).c_str()
          : "");
  if (report->rejected > 0) {
    std::printf("rejected rows are listed in %s\n", report->reject_path.c_str());
    return 1;
  }
  return 0;
}

}  // namespace

int RunImportCustomers(const Args& args) { return RunImportProfiles(args, true); }
int RunImportBalances(const Args& args) { return RunImportProfiles(args, false); }

}  // namespace banyan::server
