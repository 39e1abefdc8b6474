// The network of a Python build when the administrator configured a package index (issue #12
// item 8): the build runs the owner's code (setup.py, in-tree PEP 517 backends), so it must reach
// the index and nothing else — not the hub's port, not other loopback services, not the LAN.
//
// IndexRelay makes a network namespace of its own (only `lo`, owned by the hub's user namespace,
// so the sandbox cannot reconfigure it) holding one listening socket on 127.0.0.1:<index port>.
// The build runs in that namespace (RunInside: the build's processes are started from a thread
// that joined it, and bwrap keeps it with --share-net); the hub accepts there and connects, from
// the host's network, to the index's own host and port only, copying bytes both ways. The sandbox
// gets an /etc/hosts mapping the index's host name to 127.0.0.1 and an nsswitch.conf reading
// only that file, so the URL — and with it TLS and its certificate check — stays as configured.
// An index given by an IP address other than loopback is reached through 127.0.0.1 itself
// (RelayedIndexUrl rewrites the URL).
//
// Needs CAP_SYS_ADMIN (a hub running as root): without it Open fails and the build fails with
// that message rather than falling back to the host's network.
// Threads: the relay owns an accept thread and one thread per relayed connection, all in the
// host's network namespace; the destructor stops and joins them. Open / RunInside may be called
// from any thread.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/mutex.h"
#include "core/result.h"

namespace spacehub::runtime {

// Where an index URL points: its host (without brackets) and port (the scheme's default when
// absent). InvalidArgument for a URL that is not http(s)://host[:port][/...].
struct IndexEndpoint {
  std::string scheme;  // "http" or "https"
  std::string host;
  int port = 0;
  bool ip_literal = false;  // the host is an IPv4 or IPv6 address
};
Result<IndexEndpoint> ParseIndexUrl(const std::string& url);

// The URL the build gives pip: the configured one, except an IP address other than 127.0.0.1
// becomes 127.0.0.1 (inside the build's namespace nothing else is reachable).
std::string RelayedIndexUrl(const std::string& url, const IndexEndpoint& index);

// /etc/hosts and /etc/nsswitch.conf for the build's sandbox: {path inside, content}.
std::vector<std::pair<std::string, std::string>> IndexResolverFiles(const IndexEndpoint& index);

class IndexRelay {
 public:
  // A fresh namespace with its listener, relaying to `index`. `max_connections` at once; more
  // are closed on arrival.
  static Result<std::unique_ptr<IndexRelay>> Open(const IndexEndpoint& index,
                                                  int max_connections = 32);
  ~IndexRelay();
  IndexRelay(const IndexRelay&) = delete;
  IndexRelay& operator=(const IndexRelay&) = delete;

  // Runs `fn` on a thread that joined the namespace and waits for it: processes it starts
  // (posix_spawn / fork) begin their life there.
  Status RunInside(const std::function<Status()>& fn);

  // Connections accepted so far (for the build log).
  int64_t accepted() const { return accepted_.load(); }

 private:
  IndexRelay() = default;
  void AcceptLoop();
  // One client's connection: to the index, then both directions until each side closed.
  void Relay(int client);
  // A connection to the index (-1: none), registered in open_fds_ so the destructor can stop it.
  int ConnectUpstream();
  // Copies both directions until each side has closed its half (or the relay stops).
  void Splice(int client, int up);

  IndexEndpoint index_;
  int max_connections_ = 32;
  int netns_fd_ = -1;
  int listener_ = -1;
  int stop_[2] = {-1, -1};  // written once by the destructor: every thread's poll wakes up
  std::atomic<int64_t> accepted_{0};
  std::thread acceptor_;
  Mutex mu_;
  std::vector<std::thread> relays_ GUARDED_BY(mu_);
  std::vector<int> open_fds_
      GUARDED_BY(mu_);  // sockets of live relays (shut down by the destructor)
  int live_ GUARDED_BY(mu_) = 0;
};

}  // namespace spacehub::runtime
