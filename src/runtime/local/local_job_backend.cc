#include "runtime/local/local_job_backend.h"

namespace spacehub::runtime {

Result<std::string> LocalJobBackend::Submit(const JobLaunch& launch) {
  if (launch.instance.key.empty()) return Status::InvalidArgument("a job launch needs a key");
  SH_TRY(runtime_.Start(launch.instance));
  return launch.instance.key;
}

JobRunStatus LocalJobBackend::Poll(const std::string& ref) {
  JobRunStatus out;
  {
    MutexLock lock(mu_);
    if (canceled_.count(ref) != 0) {
      out.state = JobRunState::kStopped;
      out.reason = "Canceled";
      return out;
    }
  }
  InstanceStatus st = runtime_.Get(ref);
  if (!st.exists) return out;  // kLost
  out.started_at = st.started_at;
  if (st.alive) {
    out.state = JobRunState::kRunning;
    return out;
  }
  out.state = JobRunState::kExited;
  out.exit_code = st.exit_code;
  return out;
}

void LocalJobBackend::Cancel(const std::string& ref) {
  {
    MutexLock lock(mu_);
    canceled_.insert(ref);
  }
  runtime_.Stop(ref);
}

void LocalJobBackend::Forget(const std::string& ref) {
  runtime_.Stop(ref);  // frees the cgroup (and container) of an instance that exited
  MutexLock lock(mu_);
  canceled_.erase(ref);
}

Result<HostIds> LocalJobBackend::ImageJobIds() {
  // One block for every Docker-image job, recorded where the sweep of deleted Spaces' directories
  // never looks (a leading dot).
  return runtime_.SpaceIds(".jobs");
}

}  // namespace spacehub::runtime
