#include "privacy/internal/sodium.h"

#include <sodium.h>

#include "base/check.h"

namespace banyan::privacy::internal {

void EnsureSodium() {
  static const bool kInitialised = sodium_init() >= 0;
  CHECK(kInitialised, "libsodium failed to initialise");
}

}  // namespace banyan::privacy::internal
