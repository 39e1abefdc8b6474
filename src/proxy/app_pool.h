// AppPool: idle keep-alive connections to Spaces' apps, so that a visitor's request does not pay
// for a new socket in the Space's network namespace (a thread that setns-es, then a handshake) each
// time. A pooled socket is checked before reuse (the app may have closed it, or restarted); the
// caller still retries once on a fresh socket when a reused one fails before any response byte.
// Holds plain fds: a socket moves between connections' executors freely.
// Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/mutex.h"
#include "core/result.h"

namespace spacehub::proxy {

// Nothing to read on an idle keep-alive socket: readable means the peer closed it (EOF), reset it,
// or sent bytes nobody asked for. Either way it cannot carry a new request.
bool SocketLooksIdle(int fd);

class AppPool final {
 public:
  // Opens a new non-blocking socket to (instance key, port): connected, or connecting (the user
  // of a fresh lease waits for it to turn writable and reads SO_ERROR).
  using Opener = std::function<Result<int>(const std::string& key, int port)>;

  AppPool(Opener opener, size_t max_idle_per_app, std::chrono::seconds max_idle_age);
  ~AppPool();
  AppPool(const AppPool&) = delete;
  AppPool& operator=(const AppPool&) = delete;

  struct Lease {
    int fd = -1;
    bool reused = false;  // came from the pool: may turn out stale
  };
  // `fresh`: skip the pool (the retry after a stale socket).
  Result<Lease> Acquire(const std::string& key, int port, bool fresh) EXCLUDES(mu_);
  // Gives back a socket after a complete exchange that both sides let live; closes it when full.
  void Release(const std::string& key, int port, int fd) EXCLUDES(mu_);
  size_t idle_count() EXCLUDES(mu_);

 private:
  struct Idle {
    int fd;
    std::chrono::steady_clock::time_point since;
  };
  using Key = std::pair<std::string, int>;

  Opener opener_;
  const size_t max_idle_per_app_;
  const std::chrono::seconds max_idle_age_;
  Mutex mu_;
  std::map<Key, std::vector<Idle>> idle_ GUARDED_BY(mu_);  // newest last
};

}  // namespace spacehub::proxy
