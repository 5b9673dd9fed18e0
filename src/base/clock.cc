#include "base/clock.h"

namespace banyan {

Timestamp SystemClock::Now() const {
  return std::chrono::time_point_cast<Micros>(std::chrono::system_clock::now());
}

std::chrono::steady_clock::time_point SystemClock::Monotonic() const {
  return std::chrono::steady_clock::now();
}

const SystemClock& SystemClock::Get() {
  static const SystemClock* const kClock = new SystemClock();
  return *kClock;
}

}  // namespace banyan
