// The Jobs API's JSON shapes (spec/jobs-webhooks-oauth.md §1.2): JobInfo and ScheduledJobInfo as
// huggingface_hub 1.3.7 and newer parse them (camelCase; required id, owner and status), from the
// stored rows. Secret values never reach here: a row holds only their names. Stateless.
#pragma once

#include <nlohmann/json.hpp>

#include "service/job_service.h"

namespace spacehub::api {

nlohmann::json JobInfoJson(const db::JobRow& row);
nlohmann::json ScheduledJobInfoJson(const db::ScheduledJobRow& row);

}  // namespace spacehub::api
