// Clock: the one source of "now" for behaviour that depends on time (sleep after inactivity,
// restart backoff, rollout drain, token and session expiry, hardware leases). Code that decides by
// time takes a `const Clock&` instead of reading the system clock, so that tests drive it with a
// FakeClock (src/testing/fake_clock.h) and assert in microseconds what would otherwise take real
// seconds and luck. The system clock is a process-wide singleton; every method is safe from any
// thread.
#pragma once

#include <cstdint>

namespace spacehub {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, milliseconds since the Unix epoch (what is stored and shown).
  virtual int64_t NowMillis() const = 0;
  // Monotonic time in milliseconds from an arbitrary origin (what durations are measured with).
  virtual int64_t SteadyMillis() const = 0;

  // The real clocks; lives for the whole process.
  static const Clock& System();
};

}  // namespace spacehub
