// ShardAdmission: how many shard checks may be under way at once (queued for the hub's pool for
// slow work, or running there), for each user and in all. A check reads every new file back whole
// (about a second per GiB), and the pool serves everyone first come, first served: without a
// bound, one user with a write token could queue checks ahead of everyone else's for as long as
// they like, and each /v2/shards check waiting its turn holds its parsed shard (up to 64 MiB)
// outside the request body budget.
//
// Past its limit a user is told 429, past the total everyone is told 503, both with Retry-After:
// the answers xet-core retries after a pause.
// Thread-safe. A Ticket may be released on any thread.
#pragma once

#include <cstdint>
#include <map>

#include "core/mutex.h"
#include "core/result.h"

namespace spacehub::service {

class ShardAdmission final {
 public:
  struct Limits {
    int per_user = 2;
    int total = 8;
  };
  explicit ShardAdmission(Limits limits) : limits_(limits) {}
  ShardAdmission(const ShardAdmission&) = delete;
  ShardAdmission& operator=(const ShardAdmission&) = delete;

  // Holds one check's place until it is destroyed (or moved from, then the new holder does).
  class Ticket final {
   public:
    Ticket(Ticket&& other) noexcept;
    Ticket& operator=(Ticket&& other) noexcept;
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;
    ~Ticket();

   private:
    friend class ShardAdmission;
    Ticket(ShardAdmission* owner, int64_t user_id) : owner_(owner), user_id_(user_id) {}
    void Release();
    ShardAdmission* owner_ = nullptr;  // null once released or moved from
    int64_t user_id_ = 0;
  };

  // A place for one check by `user_id`; 429 when the user has `per_user` under way, 503 when
  // everyone together has `total`.
  Result<Ticket> Admit(int64_t user_id) EXCLUDES(mu_);
  // Under way now, for `user_id` and in all (tests, diagnostics).
  int UnderWay(int64_t user_id) EXCLUDES(mu_);
  int UnderWay() EXCLUDES(mu_);

 private:
  void Done(int64_t user_id) EXCLUDES(mu_);

  const Limits limits_;
  Mutex mu_;
  std::map<int64_t, int> by_user_ GUARDED_BY(mu_);  // only users with a check under way
  int total_ GUARDED_BY(mu_) = 0;
};

}  // namespace spacehub::service
