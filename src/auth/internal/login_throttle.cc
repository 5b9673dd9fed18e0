#include "auth/internal/login_throttle.h"

#include "base/logging.h"

namespace banyan::auth::internal {

LoginThrottle::LoginThrottle(int attempts_max, std::chrono::microseconds window,
                             size_t addresses_max)
    : attempts_max_(attempts_max), window_(window), addresses_max_(addresses_max) {}

std::optional<std::chrono::microseconds> LoginThrottle::Admit(std::string_view address,
                                                              TimePoint now) {
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
  if (w.attempts >= attempts_max_) {
    return std::chrono::duration_cast<std::chrono::microseconds>(w.start + window_ - now);
  }
  ++w.attempts;
  return std::nullopt;
}

}  // namespace banyan::auth::internal
