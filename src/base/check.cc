#include "base/check.h"

#include <cstdio>
#include <cstdlib>

namespace banyan::internal {

void CheckFailed(const char* condition, const char* file, int line, const std::string& message) {
  // Plain stdio, not the logger: the logger may be the thing that is broken.
  std::fprintf(stderr, "CHECK failed at %s:%d: %s%s%s\n", file, line, condition,
               message.empty() ? "" : ": ", message.c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace banyan::internal
