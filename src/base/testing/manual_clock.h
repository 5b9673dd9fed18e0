// ManualClock: a Clock for tests whose time moves only when told to.
// Thread safety: safe from any thread (time is atomic).

#ifndef BANYAN_BASE_TESTING_MANUAL_CLOCK_H_
#define BANYAN_BASE_TESTING_MANUAL_CLOCK_H_

#include <atomic>

#include "base/clock.h"

namespace banyan::testing {

class ManualClock final : public Clock {
 public:
  explicit ManualClock(Timestamp start) : now_us_(ToUnixMicros(start)) {}
  Timestamp Now() const override { return FromUnixMicros(now_us_.load()); }
  std::chrono::steady_clock::time_point Monotonic() const override {
    return std::chrono::steady_clock::time_point(Micros(now_us_.load()));
  }
  void Advance(Micros by) { now_us_ += by.count(); }
  void Set(Timestamp t) { now_us_ = ToUnixMicros(t); }

 private:
  std::atomic<int64_t> now_us_;
};

}  // namespace banyan::testing

#endif  // BANYAN_BASE_TESTING_MANUAL_CLOCK_H_
