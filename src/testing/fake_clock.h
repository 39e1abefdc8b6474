// Test support: a Clock the test moves by hand, so that time-driven behaviour (sleep after
// inactivity, backoff, drain deadlines, expiry) is asserted without real waiting. Tests only.
// Safe from any thread: the engine under test may read it while the test advances it.
#pragma once

#include <atomic>
#include <cstdint>

#include "core/clock.h"

namespace spacehub::testing {

class FakeClock final : public Clock {
 public:
  // Starts at a fixed, realistic date (2026-01-01T00:00:00Z) so formatted dates are stable.
  explicit FakeClock(int64_t start_millis = 1767225600000) : now_(start_millis) {}

  int64_t NowMillis() const override { return now_.load(); }
  int64_t SteadyMillis() const override { return now_.load(); }

  void AdvanceMillis(int64_t ms) { now_.fetch_add(ms); }
  void AdvanceSeconds(int64_t s) { AdvanceMillis(s * 1000); }
  void SetMillis(int64_t ms) { now_.store(ms); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace spacehub::testing
