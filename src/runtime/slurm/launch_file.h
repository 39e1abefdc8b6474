// The launch file: a JobLaunch (runtime/job_backend.h) as JSON, written by the hub's Slurm backend
// and read once by `spacehub job-exec` on the node, which deletes it before the job's command
// starts. It holds the job's environment, secrets included, so it is created 0600 (never replacing
// or following an existing file) in a 0700 directory of root's: the hub's data directory must be
// on a filesystem the node shares (docs/design/0010-jobs.md "Slurm"). Thread-safe (no state).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "core/result.h"
#include "runtime/job_backend.h"

namespace spacehub::runtime {

// JSON text of `launch`, and back. The redactor is not serialized: `redact` rebuilds it.
std::string LaunchToJson(const JobLaunch& launch);
Result<JobLaunch> LaunchFromJson(std::string_view text);

// Creates `path` (mode 0600, O_EXCL) with LaunchToJson(launch); its directory must exist.
Status WriteLaunchFile(const std::filesystem::path& path, const JobLaunch& launch);

// Reads the launch file and deletes it. Refuses a file that is not a regular file of this
// process's user with no group or other permission (someone else could have read or planted it).
Result<JobLaunch> TakeLaunchFile(const std::filesystem::path& path);

}  // namespace spacehub::runtime
