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

}  // namespace banyan::server
