#include "proxy/pages.h"

#include <string>

#include "core/html_escape.h"

namespace spacehub::proxy {
namespace {

std::string Page(std::string_view title, std::string_view text, std::string_view head_extra) {
  return "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + EscapeHtml(title) +
         "</title>" + std::string(head_extra) +
         "<style>body{font-family:system-ui,sans-serif;margin:4em auto;max-width:36em;color:#333}"
         "</style></head><body><h1>" +
         EscapeHtml(title) + "</h1><p>" + EscapeHtml(text) + "</p></body></html>\n";
}

}  // namespace

bool WantsHtml(const http::Request& req) {
  return req.Header("accept").find("text/html") != std::string_view::npos;
}

http::Response ErrorPage(const http::Request& req, const Status& status, int http_status) {
  http::Response r = http::Response::Error(status);
  if (http_status != 0) r.status = http_status;
  if (WantsHtml(req)) {
    r.body = Page(std::to_string(r.status) + " " +
                      (r.status == 404 ? std::string("Not found") : std::string("Unavailable")),
                  status.message(), "");
    for (auto& [name, value] : r.headers) {
      if (name == "Content-Type") value = "text/html; charset=utf-8";
    }
  }
  r.Header("Cache-Control", "no-store");
  return r;
}

Status BadGateway(std::string message) {
  return Status::Unavailable(std::move(message)).WithReason("BadGateway");
}

Status AppTooSlow() {
  return Status::Unavailable("The Space's app did not answer in time").WithReason("GatewayTimeout");
}

http::Response WakingPage(const http::Request& req, std::string_view space,
                          std::string_view stage) {
  const std::string message =
      "The Space " + std::string(space) + " is waking up (" + std::string(stage) + ")";
  http::Response r = http::Response::Error(Status::Unavailable(message).WithReason("SpaceWaking"));
  if (WantsHtml(req)) {
    r.body = Page("Waking up " + std::string(space),
                  "This Space is starting. The page reloads by itself.",
                  "<meta http-equiv=\"refresh\" content=\"1\">");
    for (auto& [name, value] : r.headers) {
      if (name == "Content-Type") value = "text/html; charset=utf-8";
    }
  }
  r.Header("Retry-After", "1");
  r.Header("Cache-Control", "no-store");
  return r;
}

}  // namespace spacehub::proxy
