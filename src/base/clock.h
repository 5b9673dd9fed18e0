// Clock: the source of time, injected everywhere so tests control it.
//
// Wall time is UTC microseconds since the Unix epoch (`Timestamp`); monotonic time is for
// measuring durations and timeouts. SystemClock reads the real clocks; tests use
// base/testing/manual_clock.h.
// Thread safety: implementations must be safe to call from any thread.

#ifndef BANYAN_BASE_CLOCK_H_
#define BANYAN_BASE_CLOCK_H_

#include <chrono>
#include <cstdint>

namespace banyan {

// A point in UTC time with microsecond resolution.
using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;
using Micros = std::chrono::microseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() const = 0;
  virtual std::chrono::steady_clock::time_point Monotonic() const = 0;
};

class SystemClock final : public Clock {
 public:
  Timestamp Now() const override;
  std::chrono::steady_clock::time_point Monotonic() const override;
  // The process-wide instance; lives forever.
  static const SystemClock& Get();
};

inline int64_t ToUnixMicros(Timestamp t) { return t.time_since_epoch().count(); }
inline Timestamp FromUnixMicros(int64_t us) { return Timestamp(Micros(us)); }
inline int64_t ToUnixSeconds(Timestamp t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace banyan

#endif  // BANYAN_BASE_CLOCK_H_
