// Tunnel: after a 101 Switching Protocols, copies bytes both ways between the visitor and the app
// until either side closes or errs, or nothing moves for `idle_timeout`; then both are closed.
// Calls `visit` every `visit_interval` while open (an open websocket keeps its Space awake).
// Threading: runs on the visitor connection's strand; both sockets use that executor.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <functional>

namespace spacehub::proxy {

struct TunnelStats {
  uint64_t to_app = 0;
  uint64_t to_visitor = 0;
};

boost::asio::awaitable<TunnelStats> Tunnel(boost::asio::ip::tcp::socket& visitor,
                                           boost::asio::ip::tcp::socket& app,
                                           std::chrono::milliseconds idle_timeout,
                                           std::chrono::milliseconds visit_interval,
                                           const std::function<void()>& visit);

}  // namespace spacehub::proxy
