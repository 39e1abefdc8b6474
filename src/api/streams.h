// The two streams Spaces and Jobs share (api/spaces_logs.cc, spaces_runtime.cc, jobs.cc): log lines
// as `data: {"data", "timestamp"}` events, and the metrics stream (`event: metric` about once a
// second while the instance runs). Stateless; thread-safe.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <vector>

#include "http/response.h"
#include "service/job_runtime_hook.h"  // runtime::InstanceUsage, through the service layer
#include "service/log_follower.h"

namespace spacehub::api {

std::vector<nlohmann::json> LogEvents(const std::vector<service::SpaceLogLine>& lines);

// A running instance gets a followed stream (one sample now, then one a second while it runs); one
// that does not run gets an empty stream; `follow` false sends one sample and ends.
http::Response MetricsStream(std::function<runtime::InstanceUsage()> sample, bool follow);

}  // namespace spacehub::api
