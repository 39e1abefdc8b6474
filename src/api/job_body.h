// The Jobs API's request bodies (spec/jobs-webhooks-oauth.md §1.1), parsed once at the edge into
// service::JobSpec / ScheduledJobInput: camelCase as the clients send it (snake_case accepted too),
// every type checked, features this hub does not offer (volumes, exposed ports, SSH) refused by
// name rather than ignored. Pure; thread-safe.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "core/result.h"
#include "service/job_service.h"

namespace spacehub::api {

Result<service::JobSpec> ParseJobSpec(const nlohmann::json& body);
// POST /api/scheduled-jobs/{ns}: {"jobSpec": {...}, "schedule": s, "suspend"?, "concurrency"?}.
Result<service::ScheduledJobInput> ParseScheduledJob(const nlohmann::json& body);
// PUT .../labels: {"labels": {k: v}}.
Result<std::map<std::string, std::string>> ParseLabels(const nlohmann::json& body);

}  // namespace spacehub::api
