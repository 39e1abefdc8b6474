#include "runtime/build_network.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "core/thread_name.h"

namespace spacehub::runtime {
namespace {

constexpr int kConnectTimeoutMs = 15'000;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool IsIpv4(const std::string& h) {
  in_addr a{};
  return ::inet_pton(AF_INET, h.c_str(), &a) == 1;
}

bool IsIpv6(const std::string& h) {
  in6_addr a{};
  return ::inet_pton(AF_INET6, h.c_str(), &a) == 1;
}

// A host name /etc/hosts can carry: letters, digits, '-', '.', '_'.
bool PlainHostName(const std::string& h) {
  if (h.empty() || h.size() > 253) return false;
  for (char c : h) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_') {
      return false;
    }
  }
  return true;
}

// Waits until `fd` is ready for `events` or the stop pipe fires; false on stop or timeout.
bool WaitFor(int fd, int16_t events, int stop_fd, int timeout_ms) {
  pollfd p[2] = {{fd, events, 0}, {stop_fd, POLLIN, 0}};
  for (;;) {
    int rc = ::poll(p, 2, timeout_ms);
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0 || (p[1].revents != 0)) return false;
    return true;
  }
}

// Writes all of buf to a non-blocking socket; false when the peer is gone or stop fires.
bool WriteAll(int fd, const char* buf, size_t n, int stop_fd) {
  size_t off = 0;
  while (off < n) {
    ssize_t w = ::send(fd, buf + off, n - off, MSG_NOSIGNAL);
    if (w > 0) {
      off += static_cast<size_t>(w);
      continue;
    }
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!WaitFor(fd, POLLOUT, stop_fd, -1)) return false;
      continue;
    }
    return false;
  }
  return true;
}

}  // namespace

Result<IndexEndpoint> ParseIndexUrl(const std::string& url) {
  IndexEndpoint e;
  auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) {
    return Status::InvalidArgument("The package index URL has no scheme: " + url);
  }
  e.scheme = Lower(url.substr(0, scheme_end));
  if (e.scheme != "http" && e.scheme != "https") {
    return Status::InvalidArgument("The package index URL must be http or https: " + url);
  }
  std::string rest = url.substr(scheme_end + 3);
  std::string authority = rest.substr(0, rest.find_first_of("/?#"));
  if (auto at = authority.rfind('@'); at != std::string::npos) authority.erase(0, at + 1);
  std::string port;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string::npos) return Status::InvalidArgument("Bad index URL: " + url);
    e.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return Status::InvalidArgument("Bad index URL: " + url);
      port = authority.substr(close + 2);
    }
  } else {
    auto colon = authority.find(':');
    e.host = authority.substr(0, colon);
    if (colon != std::string::npos) port = authority.substr(colon + 1);
  }
  e.host = Lower(e.host);
  e.ip_literal = IsIpv4(e.host) || IsIpv6(e.host);
  if (!e.ip_literal && !PlainHostName(e.host)) {
    return Status::InvalidArgument("The package index URL has no usable host: " + url);
  }
  if (port.empty()) {
    e.port = e.scheme == "https" ? 443 : 80;
  } else {
    if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos) {
      return Status::InvalidArgument("Bad port in the package index URL: " + url);
    }
    e.port = std::stoi(port);
    if (e.port < 1 || e.port > 65535) {
      return Status::InvalidArgument("Bad port in the package index URL: " + url);
    }
  }
  return e;
}

std::string RelayedIndexUrl(const std::string& url, const IndexEndpoint& index) {
  if (!index.ip_literal || index.host == "127.0.0.1") return url;
  // The authority is rebuilt; path, query and user info stay as configured.
  auto scheme_end = url.find("://");
  std::string rest = url.substr(scheme_end + 3);
  auto path_at = rest.find_first_of("/?#");
  std::string authority = rest.substr(0, path_at);
  std::string userinfo;
  if (auto at = authority.rfind('@'); at != std::string::npos)
    userinfo = authority.substr(0, at + 1);
  std::string tail = path_at == std::string::npos ? "" : rest.substr(path_at);
  return url.substr(0, scheme_end + 3) + userinfo + "127.0.0.1:" + std::to_string(index.port) +
         tail;
}

std::vector<std::pair<std::string, std::string>> IndexResolverFiles(const IndexEndpoint& index) {
  std::string hosts = "127.0.0.1 localhost\n::1 localhost\n";
  if (!index.ip_literal && index.host != "localhost") hosts += "127.0.0.1 " + index.host + "\n";
  return {{"/etc/hosts", hosts}, {"/etc/nsswitch.conf", "hosts: files\n"}};
}

Result<std::unique_ptr<IndexRelay>> IndexRelay::Open(const IndexEndpoint& index,
                                                     int max_connections) {
  std::unique_ptr<IndexRelay> r(new IndexRelay());
  r->index_ = index;
  r->max_connections_ = max_connections;
  if (::pipe2(r->stop_, O_CLOEXEC) != 0) return Status::Internal("pipe failed");
  // The namespace is made by a thread of its own (unshare moves only the calling thread), which
  // keeps a descriptor of it and leaves the listener there; that thread then ends.
  Status made = Status::Ok();
  std::thread t([&] {
    auto fail = [&](const std::string& what) {
      made = Status::Unavailable("Cannot give the build its own network (" + what +
                                 "): " + std::strerror(errno));
    };
    if (::unshare(CLONE_NEWNET) != 0) return fail("unshare");
    r->netns_fd_ = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (r->netns_fd_ < 0) return fail("open ns");
    int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) return fail("socket");
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    bool up = ::ioctl(s, SIOCGIFFLAGS, &ifr) == 0;
    ifr.ifr_flags = static_cast<decltype(ifr.ifr_flags)>(ifr.ifr_flags | IFF_UP);
    up = up && ::ioctl(s, SIOCSIFFLAGS, &ifr) == 0;
    ::close(s);
    if (!up) return fail("lo up");
    r->listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (r->listener_ < 0) return fail("socket");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(index.port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(r->listener_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      return fail("bind 127.0.0.1:" + std::to_string(index.port));
    }
    if (::listen(r->listener_, 64) != 0) return fail("listen");
  });
  t.join();
  SH_TRY(made);
  // Started from the caller's thread: the relay threads live in the host's network.
  r->acceptor_ = std::thread(&IndexRelay::AcceptLoop, r.get());
  return r;
}

IndexRelay::~IndexRelay() {
  if (stop_[1] >= 0) {
    char b = 1;
    (void)!::write(stop_[1], &b, 1);
  }
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<std::thread> relays;
  {
    MutexLock lock(mu_);
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    relays.swap(relays_);
  }
  for (auto& t : relays) t.join();
  for (int fd : {listener_, netns_fd_, stop_[0], stop_[1]}) {
    if (fd >= 0) ::close(fd);
  }
}

Status IndexRelay::RunInside(const std::function<Status()>& fn) {
  Status out = Status::Ok();
  std::thread t([&] {
    if (::setns(netns_fd_, CLONE_NEWNET) != 0) {
      out = Status::Unavailable(std::string("Cannot enter the build's network: ") +
                                std::strerror(errno));
      return;
    }
    out = fn();
  });
  t.join();
  return out;
}

void IndexRelay::AcceptLoop() {
  NameThisThread("index-relay");
  for (;;) {
    if (!WaitFor(listener_, POLLIN, stop_[0], -1)) return;
    int c = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (c < 0) continue;
    MutexLock lock(mu_);
    if (live_ >= max_connections_) {
      ::close(c);
      continue;
    }
    ++live_;
    accepted_.fetch_add(1);
    open_fds_.push_back(c);
    relays_.emplace_back(&IndexRelay::Relay, this, c);
  }
}

int IndexRelay::ConnectUpstream() {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  if (index_.ip_literal) hints.ai_flags = AI_NUMERICHOST;
  addrinfo* res = nullptr;
  const std::string port = std::to_string(index_.port);
  if (::getaddrinfo(index_.host.c_str(), port.c_str(), &hints, &res) != 0) return -1;
  int up = -1;
  for (addrinfo* a = res; a && up < 0; a = a->ai_next) {
    int s = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (s < 0) continue;
    {
      MutexLock lock(mu_);
      open_fds_.push_back(s);
    }
    int rc = ::connect(s, a->ai_addr, a->ai_addrlen);
    int err = rc == 0 ? 0 : errno;
    if (err == EINPROGRESS) {
      err = ETIMEDOUT;
      if (WaitFor(s, POLLOUT, stop_[0], kConnectTimeoutMs)) {
        socklen_t len = sizeof(err);
        ::getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len);
      }
    }
    if (err == 0) {
      up = s;
    } else {
      MutexLock lock(mu_);
      std::erase(open_fds_, s);
      ::close(s);
    }
  }
  ::freeaddrinfo(res);
  return up;
}

void IndexRelay::Splice(int client, int up) {
  bool open_in = true, open_out = true;  // client→index, index→client
  char buf[64 * 1024];
  while (open_in || open_out) {
    // A finished direction's socket is left out (-1): its hang-up would wake poll for ever.
    pollfd p[3] = {
        {open_in ? client : -1, POLLIN, 0}, {open_out ? up : -1, POLLIN, 0}, {stop_[0], POLLIN, 0}};
    int rc = ::poll(p, 3, -1);
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0 || p[2].revents) return;
    for (int i = 0; i < 2; ++i) {
      if (!p[i].revents) continue;
      int from = i == 0 ? client : up;
      int to = i == 0 ? up : client;
      ssize_t n = ::recv(from, buf, sizeof(buf), 0);
      if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
      if (n <= 0) {
        ::shutdown(to, SHUT_WR);
        (i == 0 ? open_in : open_out) = false;
        if (n < 0) return;
        continue;
      }
      if (!WriteAll(to, buf, static_cast<size_t>(n), stop_[0])) return;
    }
  }
}

void IndexRelay::Relay(int client) {
  const int up = ConnectUpstream();
  if (up >= 0) Splice(client, up);
  MutexLock lock(mu_);
  for (int fd : {client, up}) {
    if (fd < 0) continue;
    std::erase(open_fds_, fd);
    ::close(fd);
  }
  --live_;
}

}  // namespace spacehub::runtime
