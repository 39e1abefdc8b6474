// LocalJobBackend: jobs on this machine, through the RuntimeBackend that runs Spaces (normally
// LocalBackend): the same bubblewrap sandbox or podman container, the same cgroup limits, the
// same redacted log. A job is an instance without a port that runs its command to the end; its
// reference is its instance key. A job dies with the hub (the sandbox is --die-with-parent, and a
// restarted LocalBackend removes leftover containers and cgroups), so after a restart Poll says
// kLost and the engine records why. Thread-safe.
#pragma once

#include <set>
#include <string>

#include "core/mutex.h"
#include "runtime/job_backend.h"

namespace spacehub::runtime {

class LocalJobBackend final : public JobBackend {
 public:
  explicit LocalJobBackend(RuntimeBackend& runtime) : runtime_(runtime) {}

  std::string Name() const override { return "local"; }
  Result<std::string> Submit(const JobLaunch& launch) override;
  JobRunStatus Poll(const std::string& ref) override;
  void Cancel(const std::string& ref) override;
  void Forget(const std::string& ref) override;
  InstanceUsage Usage(const std::string& ref) override { return runtime_.Usage(ref); }
  Result<int> ListenInside(const std::string& ref, int port) override {
    return runtime_.ListenInside(ref, port);
  }
  Result<HostIds> ImageJobIds() override;

 private:
  RuntimeBackend& runtime_;
  Mutex mu_;
  std::set<std::string> canceled_ GUARDED_BY(mu_);  // stopped by Cancel, not yet forgotten
};

}  // namespace spacehub::runtime
