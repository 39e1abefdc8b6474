#include "api/streams.h"

#include <memory>

#include "api/render.h"
#include "api/sse.h"
#include "core/time_util.h"

namespace spacehub::api {

std::vector<nlohmann::json> LogEvents(const std::vector<service::SpaceLogLine>& lines) {
  std::vector<nlohmann::json> out;
  out.reserve(lines.size());
  for (const auto& l : lines) {
    nlohmann::json j = {{"data", l.text}};
    if (l.at) j["timestamp"] = FormatIsoMillis(*l.at);
    out.push_back(std::move(j));
  }
  return out;
}

http::Response MetricsStream(std::function<runtime::InstanceUsage()> sample, bool follow) {
  runtime::InstanceUsage now = sample();
  if (!now.exists || !follow) {
    std::string body = now.exists ? SseEvent(MetricJson(now), "metric") : "";
    http::Response resp = http::Response::Text(std::move(body), 200, "text/event-stream");
    resp.Header("Cache-Control", "no-cache");
    return resp;
  }
  SseFollow f;
  f.event = "metric";
  f.first = SseEvent(MetricJson(now), "metric");
  f.interval = std::chrono::seconds(1);
  auto running = std::make_shared<bool>(true);
  f.poll = [sample = std::move(sample), running] {
    runtime::InstanceUsage u = sample();
    *running = u.exists;
    return u.exists ? std::vector<nlohmann::json>{MetricJson(u)} : std::vector<nlohmann::json>{};
  };
  f.live = [running] { return *running; };
  return SseFollowResponse(std::move(f));
}

}  // namespace spacehub::api
