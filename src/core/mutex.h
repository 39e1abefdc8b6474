// Mutex, MutexLock and CondVar: std::mutex and std::condition_variable_any with the clang
// thread-safety annotations (core/thread_annotations.h), so that `GUARDED_BY(mu_)` members are
// checked by the compiler. Same cost and semantics as the std types they wrap. A Mutex may be
// locked from any thread; a MutexLock belongs to the scope (and thread) that made it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "core/thread_annotations.h"

namespace spacehub {

class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  bool TryLock() TRY_ACQUIRE(true) { return mu_.try_lock(); }

  // BasicLockable, for std::condition_variable_any (which unlocks and relocks inside a wait).
  void lock() ACQUIRE() { mu_.lock(); }
  void unlock() RELEASE() { mu_.unlock(); }

 private:
  std::mutex mu_;
};

// Holds `mu` for the lifetime of the scope.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ACQUIRE(mu) : mu_(mu) { mu_.Lock(); }
  ~MutexLock() RELEASE() { mu_.Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mu_;
};

// A condition variable used with a Mutex the caller holds (through a MutexLock). Waits release the
// mutex while blocked and hold it again when they return, as std::condition_variable does.
class CondVar {
 public:
  void Wait(Mutex& mu) REQUIRES(mu) { cv_.wait(mu); }
  template <class Pred>
  void Wait(Mutex& mu, Pred pred) REQUIRES(mu) {
    cv_.wait(mu, pred);
  }
  // False when the deadline passed with `pred` still false.
  template <class Rep, class Period, class Pred>
  bool WaitFor(Mutex& mu, std::chrono::duration<Rep, Period> d, Pred pred) REQUIRES(mu) {
    return cv_.wait_for(mu, d, pred);
  }
  template <class Clock, class Duration, class Pred>
  bool WaitUntil(Mutex& mu, std::chrono::time_point<Clock, Duration> t, Pred pred) REQUIRES(mu) {
    return cv_.wait_until(mu, t, pred);
  }
  void NotifyOne() { cv_.notify_one(); }
  void NotifyAll() { cv_.notify_all(); }

 private:
  std::condition_variable_any cv_;
};

}  // namespace spacehub
