// See login_throttle.h.
#include "auth/login_throttle.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

namespace spacehub::auth {
namespace {

// Account names are case-insensitive in the store, so "Alice" must not buy fresh guesses at alice.
std::string AccountKey(std::string_view account) {
  std::string key = "user:";
  for (char c : account) key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return key;
}

std::string AddressKey(std::string_view address) { return "addr:" + std::string(address); }

}  // namespace

LoginThrottle::LoginThrottle(const Clock& clock, LoginThrottleOptions options)
    : clock_(clock), options_(options) {}

int64_t LoginThrottle::WaitMs(const Record& r, int64_t now) const {
  if (r.failures < options_.free_failures) return 0;
  const int doublings = std::min(r.failures - options_.free_failures, 40);
  const int64_t delay = std::min(options_.base_delay_ms << doublings, options_.max_delay_ms);
  return std::max<int64_t>(0, r.last_failure_ms + delay - now);
}

Status LoginThrottle::Check(std::string_view account, std::string_view address) {
  const int64_t now = clock_.NowMillis();
  int64_t wait = 0;
  {
    MutexLock lock(mu_);
    for (const std::string& key : {AccountKey(account), AddressKey(address)}) {
      auto it = records_.find(key);
      if (it != records_.end()) wait = std::max(wait, WaitMs(it->second, now));
    }
  }
  if (wait == 0) return Status::Ok();
  const int seconds = static_cast<int>((wait + 999) / 1000);
  return Status::ResourceExhausted("Too many failed sign-in attempts; try again in " +
                                   std::to_string(seconds) + " seconds")
      .WithRetryAfter(seconds);
}

void LoginThrottle::RecordFailure(std::string_view account, std::string_view address) {
  const int64_t now = clock_.NowMillis();
  MutexLock lock(mu_);
  Fail(AccountKey(account), now);
  Fail(AddressKey(address), now);
}

void LoginThrottle::RecordSuccess(std::string_view account) {
  MutexLock lock(mu_);
  records_.erase(AccountKey(account));
}

void LoginThrottle::Fail(const std::string& key, int64_t now) {
  auto it = records_.find(key);
  if (it != records_.end() && now - it->second.last_failure_ms >= options_.forget_after_ms) {
    it->second = Record{};  // forgotten: counts from zero again
  }
  if (it == records_.end()) {
    if (records_.size() >= options_.max_records) MakeRoom(now);
    it = records_.emplace(key, Record{}).first;
  }
  it->second.failures++;
  it->second.last_failure_ms = now;
}

// Drops the forgotten records and, if the table is still full, the oldest tenth, so that the
// O(n) pass runs once per many insertions even under a flood of new addresses.
void LoginThrottle::MakeRoom(int64_t now) {
  std::erase_if(records_, [&](const auto& kv) {
    return now - kv.second.last_failure_ms >= options_.forget_after_ms;
  });
  if (records_.size() < options_.max_records) return;
  std::vector<int64_t> times;
  times.reserve(records_.size());
  for (const auto& [key, r] : records_) times.push_back(r.last_failure_ms);
  const size_t drop = std::max<size_t>(1, records_.size() / 10);
  std::nth_element(times.begin(), times.begin() + static_cast<ptrdiff_t>(drop - 1), times.end());
  const int64_t cutoff = times[drop - 1];
  std::erase_if(records_, [&](const auto& kv) { return kv.second.last_failure_ms <= cutoff; });
}

}  // namespace spacehub::auth
