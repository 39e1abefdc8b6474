#include "proxy/app_pool.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace spacehub::proxy {
bool SocketLooksIdle(int fd) {
  char c;
  ssize_t n = ::recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

AppPool::AppPool(Opener opener, size_t max_idle_per_app, std::chrono::seconds max_idle_age)
    : opener_(std::move(opener)),
      max_idle_per_app_(max_idle_per_app),
      max_idle_age_(max_idle_age) {}

AppPool::~AppPool() {
  for (auto& [key, list] : idle_) {
    for (const Idle& i : list) ::close(i.fd);
  }
}

Result<AppPool::Lease> AppPool::Acquire(const std::string& key, int port, bool fresh) {
  if (!fresh) {
    const auto now = std::chrono::steady_clock::now();
    std::vector<int> stale;
    int found = -1;
    {
      MutexLock lock(mu_);
      // Sockets idle too long anywhere are closed here: the pool has no timer of its own.
      for (auto& [k, list] : idle_) {
        while (!list.empty() && now - list.front().since > max_idle_age_) {
          stale.push_back(list.front().fd);
          list.erase(list.begin());
        }
      }
      auto it = idle_.find(Key(key, port));
      while (it != idle_.end() && !it->second.empty()) {
        Idle i = it->second.back();
        it->second.pop_back();
        if (now - i.since <= max_idle_age_ && SocketLooksIdle(i.fd)) {
          found = i.fd;
          break;
        }
        stale.push_back(i.fd);
      }
    }
    for (int fd : stale) ::close(fd);
    if (found >= 0) return Lease{found, true};
  }
  SH_ASSIGN_OR_RETURN(int fd, opener_(key, port));
  return Lease{fd, false};
}

void AppPool::Release(const std::string& key, int port, int fd) {
  {
    MutexLock lock(mu_);
    auto& list = idle_[Key(key, port)];
    if (list.size() < max_idle_per_app_) {
      list.push_back({fd, std::chrono::steady_clock::now()});
      return;
    }
  }
  ::close(fd);
}

size_t AppPool::idle_count() {
  MutexLock lock(mu_);
  size_t n = 0;
  for (auto& [key, list] : idle_) n += list.size();
  return n;
}

}  // namespace spacehub::proxy
