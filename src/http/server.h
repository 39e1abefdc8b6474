// Server: the async HTTP/1.1 listener (Boost.Beast) with keep-alive, request ids, access logs,
// header and body limits, and graceful shutdown.
//
// Threading: Run() blocks and runs the io_context on `threads` threads; handlers run on those
// threads (synchronously: they may do short blocking work such as SQLite or libgit2 calls).
// Stop() may be called from any thread or a signal-watching thread: it stops accepting, lets
// in-flight requests finish (up to `shutdown_grace`), closes idle connections, and Run() returns.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"
#include "http/router.h"

namespace spacehub::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0: pick a free port (read it back with port())
  int threads = 0;    // 0: number of CPUs, at least 2
  size_t max_header_bytes = 64 * 1024;
  uint64_t max_body_bytes = 512ull * 1024 * 1024;  // buffered routes only
  std::chrono::seconds idle_timeout{120};
  std::chrono::seconds shutdown_grace{30};
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
  void Run();
  void Stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace spacehub::http
