// BackgroundSha256: SHA-256 of a stream, computed on its own thread while the caller goes on
// receiving and writing the next bytes. An upload is then bounded by max(hashing, receiving +
// writing) instead of their sum (bench/upload_vs_sha256.sh measures the difference).
//
// Ownership: one owner feeds Update() and calls FinishHex() once; the worker thread is private.
// Update() copies the bytes and blocks only when `max_pending_bytes` are waiting to be hashed.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "core/crypto.h"

namespace spacehub {

class BackgroundSha256 final {
 public:
  explicit BackgroundSha256(size_t max_pending_bytes = 8u << 20);
  ~BackgroundSha256();
  BackgroundSha256(const BackgroundSha256&) = delete;
  BackgroundSha256& operator=(const BackgroundSha256&) = delete;

  void Update(std::string_view data);
  // Waits for every queued byte to be hashed; the object must not be updated afterwards.
  std::string FinishHex();

 private:
  void Run();

  const size_t max_pending_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<std::string> queue_;  // guarded by mu_
  size_t pending_ = 0;             // guarded by mu_: bytes in queue_
  bool closing_ = false;           // guarded by mu_
  Sha256Stream sha_;               // used by the worker only
  std::thread worker_;
};

}  // namespace spacehub
