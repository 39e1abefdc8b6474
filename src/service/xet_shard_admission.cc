#include "service/xet_shard_admission.h"

#include <string>
#include <utility>

namespace spacehub::service {
namespace {

// A check takes from well under a second to a few seconds per GiB: worth a short wait.
constexpr int kRetryAfterSeconds = 2;

}  // namespace

ShardAdmission::Ticket::Ticket(Ticket&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)), user_id_(other.user_id_) {}

ShardAdmission::Ticket& ShardAdmission::Ticket::operator=(Ticket&& other) noexcept {
  if (this != &other) {
    Release();
    owner_ = std::exchange(other.owner_, nullptr);
    user_id_ = other.user_id_;
  }
  return *this;
}

ShardAdmission::Ticket::~Ticket() { Release(); }

void ShardAdmission::Ticket::Release() {
  if (owner_ != nullptr) std::exchange(owner_, nullptr)->Done(user_id_);
}

Result<ShardAdmission::Ticket> ShardAdmission::Admit(int64_t user_id) {
  MutexLock lock(mu_);
  auto it = by_user_.find(user_id);
  const int mine = it == by_user_.end() ? 0 : it->second;
  if (mine >= limits_.per_user) {
    return Status::ResourceExhausted("You have " + std::to_string(mine) +
                                     " shard uploads being checked already; retry when one ends")
        .WithRetryAfter(kRetryAfterSeconds);
  }
  if (total_ >= limits_.total) {
    return Status::Unavailable(
               "The hub is checking as many shard uploads as it takes at once; retry "
               "shortly")
        .WithRetryAfter(kRetryAfterSeconds);
  }
  ++by_user_[user_id];
  ++total_;
  return Ticket(this, user_id);
}

void ShardAdmission::Done(int64_t user_id) {
  MutexLock lock(mu_);
  auto it = by_user_.find(user_id);
  if (it != by_user_.end() && --it->second == 0) by_user_.erase(it);
  --total_;
}

int ShardAdmission::UnderWay(int64_t user_id) {
  MutexLock lock(mu_);
  auto it = by_user_.find(user_id);
  return it == by_user_.end() ? 0 : it->second;
}

int ShardAdmission::UnderWay() {
  MutexLock lock(mu_);
  return total_;
}

}  // namespace spacehub::service
