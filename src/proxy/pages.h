// The answers the proxy gives itself, not the app: errors (the http layer's JSON error for
// programs, the same status and X-Error-* headers with a small HTML page for browsers) and the
// "waking up" page that reloads itself. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "http/request.h"
#include "http/response.h"

namespace spacehub::proxy {

// A browser navigation (Accept names text/html).
bool WantsHtml(const http::Request& req);

// `status` as HTTP; `http_status` overrides the code's usual status (502, 504) when non-zero.
http::Response ErrorPage(const http::Request& req, const Status& status, int http_status = 0);

// The app's faults, as both relays (forwarder.h, app_link.h) answer them: with ErrorPage(..., 502)
// and ErrorPage(..., 504).
Status BadGateway(std::string message);
Status AppTooSlow();  // no response header within the read timeout

// 503 + Retry-After: the Space is starting; the page reloads itself every second.
http::Response WakingPage(const http::Request& req, std::string_view space, std::string_view stage);

}  // namespace spacehub::proxy
