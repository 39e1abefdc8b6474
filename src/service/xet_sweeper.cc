#include "service/xet_sweeper.h"

#include "core/log.h"
#include "core/thread_name.h"
#include "service/xet_service.h"

namespace spacehub::service {

size_t XetSweeper::SweepOnce() {
  XetService xet(hub_);
  auto n = xet.Sweep(hub_.clock.NowMillis() / 1000 - grace_.count());
  (void)hub_.xorbs.CleanTemp();
  if (!n.ok()) {
    spdlog::warn("xet sweep: {}", n.status().ToString());
    return 0;
  }
  if (*n > 0) spdlog::info("xet sweep: deleted {} unused xorb(s)", *n);
  return *n;
}

void XetSweeper::Start() {
  thread_ = std::thread([this] {
    NameThisThread("xet-sweeper");
    while (true) {
      SweepOnce();
      MutexLock lock(mu_);
      if (wake_.WaitFor(mu_, interval_, [this]() REQUIRES(mu_) { return stopping_; })) return;
    }
  });
}

void XetSweeper::Stop() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  wake_.NotifyAll();
  if (thread_.joinable()) thread_.join();
}

}  // namespace spacehub::service
