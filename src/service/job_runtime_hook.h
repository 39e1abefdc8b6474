// JobRuntimeHook: what the API-side JobService asks of the job engine (service/job_engine.h) that
// `serve` runs: wake it for a new job, a cancel or a schedule change, where a job's log is, whether
// more may come, and what a running job uses. Null in a hub without jobs (then every job waits in
// SCHEDULING with a message saying so). Implementations are thread-safe.
#pragma once

#include <filesystem>
#include <string>

#include "core/result.h"
#include "runtime/runtime_backend.h"

namespace spacehub::service {

class JobRuntimeHook {
 public:
  virtual ~JobRuntimeHook() = default;
  virtual void Notify() = 0;
  // The job's log ("<epoch millis> <line>" lines, redacted); the file may not exist yet.
  virtual std::filesystem::path LogPath(const std::string& job_id) const = 0;
  // CPU and memory of a running job; exists=false when it does not run here.
  virtual runtime::InstanceUsage Usage(const std::string& job_id) = 0;
  // Whether a job may run `image` here: InvalidArgument naming it when it is not available
  // locally (no registry is reached: the operator makes images available), never a hang.
  virtual Status CheckImage(const std::string& image) = 0;
};

}  // namespace spacehub::service
