// Request ids: the X-Request-Id that ties a response, its access-log line and any problem body
// together. An incoming id is kept when it looks sane; otherwise a short unique one is made.
// Used by the request pipeline.
// Thread safety: RequestIdGenerator::Next is safe from any thread.

#ifndef BANYAN_HTTP_INTERNAL_REQUEST_ID_H_
#define BANYAN_HTTP_INTERNAL_REQUEST_ID_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/random.h"

namespace banyan::http::internal {

// True when `id` matches [A-Za-z0-9._-]{1,64}: safe to echo in headers and logs.
bool IsAcceptableRequestId(std::string_view id);

// Makes ids "<prefix>-<counter>": the prefix is random per generator (so ids from restarts and
// from other nodes do not collide), the counter a relaxed atomic, so Next costs no system call.
class RequestIdGenerator {
 public:
  explicit RequestIdGenerator(Random& random);
  std::string Next();

 private:
  std::string prefix_;
  std::atomic<uint64_t> counter_{0};
};

}  // namespace banyan::http::internal

#endif  // BANYAN_HTTP_INTERNAL_REQUEST_ID_H_
