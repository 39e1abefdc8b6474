// LoginThrottle: slows password guessing, per account and per client address.
//
// Each key (an account name, an address) may fail `free_failures` times; after that every further
// attempt must wait base_delay·2^(failures-free_failures), capped at max_delay, counted from the
// last failure. A success clears the account's record (not the address's: one good password does
// not buy an address more guesses at other accounts). Records are forgotten after `forget_after`
// without a failure, and the table is bounded (the oldest records go first), so a flood of
// addresses cannot grow memory without bound.
//
// Thread-safety: every method may be called concurrently (one internal mutex).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.h"
#include "core/mutex.h"
#include "core/result.h"

namespace spacehub::auth {

struct LoginThrottleOptions {
  int free_failures = 5;
  int64_t base_delay_ms = 1000;
  int64_t max_delay_ms = 15 * 60 * 1000;
  int64_t forget_after_ms = 24LL * 3600 * 1000;
  size_t max_records = 100000;
};

class LoginThrottle final {
 public:
  explicit LoginThrottle(const Clock& clock = Clock::System(), LoginThrottleOptions options = {});

  // Ok, or kResourceExhausted with retry_after_seconds while either key must wait.
  Status Check(std::string_view account, std::string_view address);
  void RecordFailure(std::string_view account, std::string_view address);
  void RecordSuccess(std::string_view account);

 private:
  struct Record {
    int failures = 0;
    int64_t last_failure_ms = 0;
  };
  int64_t WaitMs(const Record& r, int64_t now) const;
  void Fail(const std::string& key, int64_t now) REQUIRES(mu_);
  void MakeRoom(int64_t now) REQUIRES(mu_);

  const Clock& clock_;
  LoginThrottleOptions options_;
  Mutex mu_;
  std::unordered_map<std::string, Record> records_ GUARDED_BY(mu_);
};

}  // namespace spacehub::auth
