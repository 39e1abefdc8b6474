// Space build and run logs (GET /api/spaces/{id}/logs/{build|run}): a server-sent event stream,
// parsed as it arrives (sse.h) and handed out line by line. Both keep a live log open; without
// follow, spacehub is asked to end after the replay and the read also ends when the stream idles.
#include "client/client_impl.h"
#include "client/error_mapping.h"
#include "client/sse.h"
#include "spacehub/hub_client.h"

namespace spacehub::client {

using detail::HttpRequest;
using detail::HttpResponse;

void HubClient::StreamSpaceLogs(const std::string& repo_id, const SpaceLogOptions& o,
                                const SpaceLogFn& on_line) const {
  // spacehub ends the stream after the replay on follow=false; the Hub ignores the parameter, so
  // the idle timeout below still ends a read there.
  std::string path = o.build ? "/logs/build" : "/logs/run";
  if (!o.follow) path += "?follow=false";
  HttpRequest r = impl_->Make("GET", impl_->SpaceUrl(repo_id, path));
  r.headers.push_back("Accept: text/event-stream");
  detail::SseParser parser;
  bool stopped = false;
  auto on_event = [&](const std::string& data) {
    if (on_line(detail::ParseLogEvent(data))) return true;
    stopped = true;
    return false;
  };
  r.on_data = [&](const char* data, size_t size) {
    return parser.Feed(std::string_view(data, size), on_event);
  };
  if (!o.follow && o.idle_seconds > 0) r.idle_timeout_seconds = o.idle_seconds;
  HttpResponse resp = detail::Perform(r);  // an idle stream ends it normally (resp.idled)
  detail::RaiseForStatus(resp);
  if (!stopped) parser.Finish(on_event);
}

std::vector<SpaceLogLine> HubClient::GetSpaceLogs(const std::string& repo_id, bool build) const {
  std::vector<SpaceLogLine> lines;
  SpaceLogOptions o;
  o.build = build;
  StreamSpaceLogs(repo_id, o, [&](const SpaceLogLine& line) {
    lines.push_back(line);
    return true;
  });
  return lines;
}

}  // namespace spacehub::client
