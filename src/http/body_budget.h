// BodyBudget: how many bytes of request bodies all connections of a server may hold in memory at
// once (buffered routes read the whole body before their handler runs). A request reserves what its
// body needs before reading it (its Content-Length, or step by step as a chunked body grows) and
// gives it back when its handler is done; a reservation that does not fit is refused (503), so many
// clients each sending a large body make the hub refuse work instead of running out of memory.
// Thread-safe: one per server, shared by every connection (an atomic counter, no lock).
#pragma once

#include <atomic>
#include <cstdint>

namespace spacehub::http {

class BodyBudget final {
 public:
  explicit BodyBudget(uint64_t total) : total_(total) {}
  BodyBudget(const BodyBudget&) = delete;
  BodyBudget& operator=(const BodyBudget&) = delete;

  uint64_t total() const { return total_; }
  uint64_t used() const { return used_.load(std::memory_order_relaxed); }
  // Takes `bytes` if they fit within the total; false (nothing taken) otherwise.
  bool TryReserve(uint64_t bytes);
  void Release(uint64_t bytes);

 private:
  const uint64_t total_;
  std::atomic<uint64_t> used_{0};
};

// What one request holds of a BodyBudget; gives it all back when destroyed. One owner, one thread.
class BodyReservation final {
 public:
  explicit BodyReservation(BodyBudget& budget) : budget_(budget) {}
  ~BodyReservation() { Reset(); }
  BodyReservation(const BodyReservation&) = delete;
  BodyReservation& operator=(const BodyReservation&) = delete;

  // Grows the reservation to at least `bytes`; false when the budget cannot give that much (the
  // reservation keeps what it had).
  bool GrowTo(uint64_t bytes);
  uint64_t held() const { return held_; }
  void Reset();

 private:
  BodyBudget& budget_;
  uint64_t held_ = 0;
};

}  // namespace spacehub::http
