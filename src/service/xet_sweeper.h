// XetSweeper: `serve`'s background sweep of Xet storage — at start and then every `interval`, it
// deletes xorbs no file of a live repository uses (XetService::Sweep) once they are older than
// `grace` (uploads whose shard is still to come stay), and abandoned temp files.
// Owns one thread from Start() to Stop() (or destruction); Start/Stop from one thread.
#pragma once

#include <chrono>
#include <thread>

#include "core/mutex.h"
#include "service/hub.h"

namespace spacehub::service {

class XetSweeper final {
 public:
  XetSweeper(Hub& hub, std::chrono::seconds interval, std::chrono::seconds grace)
      : hub_(hub), interval_(interval), grace_(grace) {}
  ~XetSweeper() { Stop(); }
  XetSweeper(const XetSweeper&) = delete;
  XetSweeper& operator=(const XetSweeper&) = delete;

  void Start();
  void Stop();
  // One sweep now (what the thread does each round); returns how many xorbs went.
  size_t SweepOnce();

 private:
  Hub& hub_;
  const std::chrono::seconds interval_;
  const std::chrono::seconds grace_;
  Mutex mu_;
  CondVar wake_;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace spacehub::service
