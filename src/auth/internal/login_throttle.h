// LoginThrottle: a per-remote-address limit on failed log-in attempts (fixed windows), held in
// memory. It slows password guessing across many accounts from one address; per-account
// lock-out (in the store) covers guessing one account from many addresses. Only failures
// count, so a branch whose staff all log in through one NAT address at 9:00 is not throttled.
//
// The table is bounded: when full, expired windows are dropped, and if that frees nothing the
// table is cleared (account lock-out still applies), so a flood of addresses cannot grow memory
// or lock out legitimate users.
// Thread safety: safe from any thread.

#ifndef BANYAN_AUTH_INTERNAL_LOGIN_THROTTLE_H_
#define BANYAN_AUTH_INTERNAL_LOGIN_THROTTLE_H_

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace banyan::auth::internal {

class LoginThrottle {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  LoginThrottle(int failures_max, std::chrono::microseconds window, size_t addresses_max);

  // nullopt when `address` may attempt a log-in at `now`; otherwise how long until it may.
  std::optional<std::chrono::microseconds> Check(std::string_view address, TimePoint now);
  // Counts a failed attempt from `address`.
  void RecordFailure(std::string_view address, TimePoint now);

 private:
  struct Window {
    TimePoint start;
    int failures = 0;
  };

  const int failures_max_;
  const std::chrono::microseconds window_;
  const size_t addresses_max_;
  std::mutex mutex_;
  std::unordered_map<std::string, Window> windows_;  // guarded by mutex_
};

}  // namespace banyan::auth::internal

#endif  // BANYAN_AUTH_INTERNAL_LOGIN_THROTTLE_H_
