// A job's log (GET /api/jobs/{ns}/{id}/logs, server-sent events, spec §1.3), read the way
// huggingface_hub's fetch_job_logs reads it: only `{"data": …}` events are lines; a reopened
// stream replays from the start, so the events already handed out are skipped by count; after a
// drop or a silent stream the job is asked for its stage and the read stops unless it still runs.
#include <algorithm>
#include <thread>

#include "client/client_impl.h"
#include "client/error_mapping.h"
#include "client/jobs_wire.h"
#include "client/sse.h"
#include "spacehub/hub_client.h"

namespace spacehub::client {

namespace {

constexpr int kMaxRetries = 5;
constexpr long kFollowIdleSeconds = 120;  // NOLINT(google-runtime-int) libcurl's type

bool StillRunning(const std::string& stage) { return stage == "RUNNING" || stage == "UPDATING"; }

}  // namespace

void HubClient::FetchJobLogs(const std::string& job_id, const JobLogOptions& o,
                             const JobLogFn& on_line, const std::string& ns) const {
  const std::string base = impl_->JobUrl(*this, "jobs", job_id, ns, "/logs");
  int64_t events_seen = 0;  // over every attempt: the replay's first events_seen are skipped
  for (int attempt = 0;; ++attempt) {
    std::string url = base;
    // spacehub ends the stream after the replay on follow=false (the Hub ignores the parameter;
    // the idle timeout ends a read there). tail is only asked for once, as Python drops it.
    std::string query;
    if (!o.follow) query += "follow=false";
    if (o.tail && attempt == 0)
      query +=
          (query.empty() ? "" : "&") + std::string("tail=") + std::to_string(std::max(0, *o.tail));
    if (!query.empty()) url += "?" + query;
    detail::HttpRequest r = impl_->Make("GET", url);
    r.headers.push_back("Accept: text/event-stream");
    r.idle_timeout_seconds = o.follow ? kFollowIdleSeconds : o.idle_seconds;
    detail::SseParser parser;
    int64_t events_this_attempt = 0;
    bool stopped = false;
    auto on_event = [&](const std::string& data) {
      JobLogLine line;
      const detail::JobLogEvent kind = detail::ParseJobLogEvent(data, &line);
      if (kind == detail::JobLogEvent::kNotAnEvent) return true;
      if (++events_this_attempt <= events_seen) return true;
      ++events_seen;
      if (kind == detail::JobLogEvent::kHidden || on_line(line)) return true;
      stopped = true;
      return false;
    };
    r.on_data = [&](const char* data, size_t size) {
      return parser.Feed(std::string_view(data, size), on_event);
    };
    bool dropped = false;
    try {
      detail::HttpResponse resp = detail::Perform(r);
      detail::RaiseForStatus(resp);
      if (!stopped) parser.Finish(on_event);
      if (stopped || !o.follow) return;
      // A clean close ends the read; a silent one may be a job that is only quiet.
      if (!resp.idled) return;
    } catch (const NetworkError&) {
      if (!o.follow || attempt >= kMaxRetries) throw;
      dropped = true;
    }
    if (attempt >= kMaxRetries) return;
    if (!StillRunning(InspectJob(job_id, ns).status.stage)) return;
    if (dropped) {
      // 1 s doubling to 10 s between reconnects, as huggingface_hub's follow loop waits (scaled
      // like every retry wait, so tests need not wait whole seconds).
      const double seconds = std::min(10, 1 << attempt) * detail::RetryScale();
      std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000)));
    }
  }
}

}  // namespace spacehub::client
