#include "auth/internal/login_throttle.h"

#include "base/logging.h"

namespace banyan::auth::internal {

LoginThrottle::LoginThrottle(int failures_max, std::chrono::microseconds window,
                             size_t addresses_max)
    : failures_max_(failures_max), window_(window), addresses_max_(addresses_max) {}

std::optional<std::chrono::microseconds> LoginThrottle::Check(std::string_view address,
                                                              TimePoint now) {
  std::lock_guard lock(mutex_);
  const auto it = windows_.find(std::string(address));
  if (it == windows_.end()) return std::nullopt;
  const Window& w = it->second;
  if (now - w.start >= window_ || w.failures < failures_max_) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::microseconds>(w.start + window_ - now);
}

void LoginThrottle::RecordFailure(std::string_view address, TimePoint now) {
  std::lock_guard lock(mutex_);
  auto it = windows_.find(std::string(address));
  if (it == windows_.end()) {
    if (windows_.size() >= addresses_max_) {
      std::erase_if(windows_,
                    [&](const auto& entry) { return now - entry.second.start >= window_; });
      if (windows_.size() >= addresses_max_) {
        log::Warn("auth.login_throttle_full", {{"addresses", windows_.size()}});
        windows_.clear();
      }
    }
    it = windows_.emplace(std::string(address), Window{now, 0}).first;
  }
  Window& w = it->second;
  if (now - w.start >= window_) w = Window{now, 0};
  ++w.failures;
}

}  // namespace banyan::auth::internal
