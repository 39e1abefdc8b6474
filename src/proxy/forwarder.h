// Forwarder: relays one visitor request to a Space's app and the app's answer back, streaming both
// bodies (uploads, chunked and server-sent-event responses pass through as they arrive: no body is
// ever held whole), over a pooled keep-alive connection to the app. A websocket upgrade that the
// app accepts (101) turns the exchange into a byte tunnel (tunnel.h) until one side closes.
//
// Faults map to the gateway statuses: no connection or no valid response from the app -> 502,
// no response header within `read_timeout` -> 504, a body over `max_body_bytes` -> 413. Once the
// response header went out, a failing app can only cut the visitor's response short (the
// connection then closes, so the visitor sees a truncated body, never a wrong one).
// Threading: Forward runs on the visitor connection's strand; the Forwarder itself is immutable
// after construction and shared by every connection.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "http/exchange.h"
#include "proxy/app_pool.h"
#include "proxy/forward_headers.h"

namespace spacehub::proxy {

struct Lane;

struct ForwardLimits {
  // The app's response header, and each silence between response body bytes (nginx's
  // proxy_read_timeout).
  std::chrono::milliseconds read_timeout{std::chrono::seconds(60)};
  // One read or write on the visitor's side, or on the app's side while sending it the request.
  std::chrono::milliseconds io_timeout{std::chrono::seconds(60)};
  // A new connection to the app (an app whose listen backlog overflowed accepts on a SYN retry,
  // one second or more later; the wait blocks no thread).
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
  // A websocket tunnel with no byte either way for this long is closed.
  std::chrono::milliseconds tunnel_idle_timeout{std::chrono::hours(1)};
  // A long-lived exchange counts as a visit this often (the Space's sleep timer).
  std::chrono::milliseconds visit_interval{std::chrono::seconds(10)};
  uint64_t max_body_bytes = 0;  // request bodies; 0: no limit
  uint32_t max_response_header_bytes = 64 * 1024;
};

// Where one request goes.
struct AppRoute {
  std::string instance_key;
  int port = 0;
  std::string target;  // the request-target the app sees ("/path?query")
  ForwardedFor forwarded;
};

class Forwarder final {
 public:
  Forwarder(AppPool& pool, ForwardLimits limits) : pool_(pool), limits_(limits) {}
  Forwarder(const Forwarder&) = delete;
  Forwarder& operator=(const Forwarder&) = delete;

  // Relays ex's request; returns whether the visitor's connection may serve another request.
  // `visit` is called every visit_interval while the exchange lasts. `lane`, when given, is armed
  // on the visitor's connection if the exchange ended cleanly with the app connection kept
  // (app_link.h): the connection's next plain requests to the same Host take the fast lane.
  boost::asio::awaitable<bool> Forward(http::Exchange& ex, const AppRoute& route,
                                       const std::function<void()>& visit,
                                       const Lane* lane = nullptr) const;

  const ForwardLimits& limits() const { return limits_; }

 private:
  AppPool& pool_;
  const ForwardLimits limits_;
};

}  // namespace spacehub::proxy
