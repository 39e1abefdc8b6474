// Server: the async HTTP/1.1 listener (Boost.Beast) with keep-alive, request ids, access logs,
// header and body limits, and graceful shutdown.
//
// Threading: Run() blocks and runs the io_context on `threads` threads (or, with
// `context_per_thread`, one io_context per thread, each connection pinned to one); handlers run on
// those threads (synchronously: they may do short blocking work such as SQLite or libgit2 calls),
// except the routes that say they may run long (BodyRules::offload), which run on `slow_threads`.
// Stop() may be called from any thread or a signal-watching thread: it stops accepting, lets
// in-flight requests finish (up to `shutdown_grace`), closes idle connections, and Run() returns.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/result.h"
#include "core/status.h"
#include "http/router.h"

namespace spacehub::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0: pick a free port (read it back with port())
  int threads = 0;    // 0: number of CPUs, at least 2
  // Threads for slow work (BodyRules::offload handlers, BodySource::TakeBackgroundWork): beyond
  // these, such work waits its turn while the I/O threads go on serving.
  int slow_threads = 4;
  size_t max_header_bytes = 64 * 1024;
  // Buffered routes: BodyRules::large ones (commits) up to max_body_bytes, the others (JSON
  // requests) up to max_small_body_bytes. Streaming routes: their sink's limit.
  uint64_t max_body_bytes = 512ull * 1024 * 1024;
  uint64_t max_small_body_bytes = 10ull * 1024 * 1024;
  // All buffered bodies of all connections at once (BodyBudget): past it, 503.
  uint64_t body_memory_bytes = 1024ull * 1024 * 1024;
  // A keep-alive connection may wait this long for the first byte of its next request...
  std::chrono::seconds idle_timeout{120};
  // ...and then has this long for the whole head (one deadline, not one per read).
  std::chrono::seconds header_timeout{30};
  // A body (buffered or streamed) must be in by body_timeout plus one second per body_min_rate
  // bytes received: a client has to keep up an average rate (0: no rate, only the per-read
  // timeout) instead of holding a connection and its memory with a byte now and then.
  std::chrono::seconds body_timeout{60};
  uint64_t body_min_rate = 16 * 1024;  // bytes per second
  // Open connections from one client address; the next one gets a 503 and is closed (0: no limit).
  size_t max_connections_per_client = 4096;
  std::chrono::seconds shutdown_grace{30};
  // One io_context per thread, connections spread round-robin: no cross-thread wake-up (futex) per
  // request, but a handler that blocks (a long git pack stream) stalls every connection on its
  // thread instead of one thread of the shared pool. Measured: no gain at 64 connections, more
  // req/s at 1,000 (docs/design/0006-proxy.md); off by default.
  bool context_per_thread = false;
};

class Server final {
 public:
  Server(ServerOptions options, const Router& router);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens; after success port() is the bound port.
  Status Listen();
  uint16_t port() const;
  // Accepts on `listening_fd` too (already bound and listening; the server owns it from now on),
  // serving its connections with `router`, or the server's own when null (which must outlive the
  // listener). Any thread, before or while running. Returns an id for RemoveListener.
  // `urls_from_listener`: requests through it carry the listener's own address as their base URL
  // (Request::listener_url), for clients that reach the hub only there (a Space's HF_ENDPOINT).
  Result<int> AddListener(int listening_fd, const Router* router = nullptr,
                          bool urls_from_listener = false);
  // A listening TCP socket on host:port (numeric host; port 0: any free port), for AddListener.
  static Result<int> OpenListeningSocket(const std::string& host, uint16_t port);
  // Stops accepting on that listener and closes it; its open connections finish normally.
  void RemoveListener(int id);
  void Run();
  void Stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace spacehub::http
