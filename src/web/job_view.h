// What the job pages show of a job (issue #16): its stage, why it is there, where it runs (a
// Space's environment or an image), its command, flavor, times and durations, secret *names* and
// labels, from the stored row (db::JobRow), whose spec holds no secret value. Shared by the job
// page and the namespace's job list. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "service/job_service.h"

namespace spacehub::web {

// "/jobs/{ns}/{id}": where huggingface_hub sends people (`{endpoint}/jobs/{owner}/{id}`).
std::string JobPath(const db::JobRow& row);
// 0 -> "0s", 65 -> "1m 5s", 3725 -> "1h 2m 5s".
std::string DurationText(int64_t seconds);
// The data of one job for the templates, at `now_ms` (the durations of a job still running).
nlohmann::json JobViewData(const db::JobRow& row, int64_t now_ms);

}  // namespace spacehub::web
