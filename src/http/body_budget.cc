#include "http/body_budget.h"

namespace spacehub::http {

bool BodyBudget::TryReserve(uint64_t bytes) {
  uint64_t used = used_.load(std::memory_order_relaxed);
  do {
    if (bytes > total_ || used > total_ - bytes) return false;
  } while (!used_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
  return true;
}

void BodyBudget::Release(uint64_t bytes) { used_.fetch_sub(bytes, std::memory_order_relaxed); }

bool BodyReservation::GrowTo(uint64_t bytes) {
  if (bytes <= held_) return true;
  if (!budget_.TryReserve(bytes - held_)) return false;
  held_ = bytes;
  return true;
}

void BodyReservation::Reset() {
  if (held_ != 0) budget_.Release(held_);
  held_ = 0;
}

}  // namespace spacehub::http
