// The Jobs API's JSON (spec §1.1, §1.2): the job spec a run or a schedule sends, and the JobInfo,
// ScheduledJobInfo and hardware shapes the hub answers. Responses are read camelCase first and
// snake_case second, as huggingface_hub does; only the keys it requires (id, owner, status for a
// job) are required here, anything else may be missing or of another type without failing.
// Pure functions; safe from any thread.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "spacehub/jobs.h"

namespace spacehub::client::detail {

// The `jobSpec` object: command, arguments, environment and flavor always; exactly one of
// dockerImage / spaceId (spec §1.1 image routing); secrets, timeoutSeconds and labels only when
// set. Throws LocalError(kInvalidArgument) for an empty image or a Space URL without ns/name.
nlohmann::json JobSpecJson(const JobSpec& spec);

// `endpoint` builds JobInfo::url. Throws HttpError (status 200) naming the missing key when id,
// owner or status is absent, as Python's KeyError would.
JobInfo ParseJobInfo(const nlohmann::json& j, const std::string& endpoint);
ScheduledJobInfo ParseScheduledJobInfo(const nlohmann::json& j);
JobHardware ParseJobHardware(const nlohmann::json& j);

// What one SSE event of a job's log is (spec §1.3): only `{"data": …}` objects are log events;
// those whose text starts with `===== Job started` are events but not shown. A reconnecting reader
// counts events (shown or not) to skip the replayed ones.
enum class JobLogEvent { kNotAnEvent, kHidden, kLine };
JobLogEvent ParseJobLogEvent(const std::string& data, JobLogLine* line);

}  // namespace spacehub::client::detail
