#include "proxy/tunnel.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <vector>

namespace spacehub::proxy {
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kTuple = net::as_tuple(net::use_awaitable);
constexpr size_t kPumpBuffer = 64 * 1024;

// Copies `from` -> `to` until EOF or an error on either side.
net::awaitable<void> Pump(tcp::socket& from, tcp::socket& to, Clock::time_point& last,
                          uint64_t& bytes) {
  std::vector<char> buf(kPumpBuffer);
  for (;;) {
    auto [rec, n] = co_await from.async_read_some(net::buffer(buf), kTuple);
    if (rec) co_return;
    last = Clock::now();
    auto [wec, wn] = co_await net::async_write(to, net::buffer(buf.data(), n), kTuple);
    if (wec) co_return;
    bytes += n;
    last = Clock::now();
  }
}

// Returns when the tunnel has been idle too long; visits meanwhile.
net::awaitable<void> Watch(const Clock::time_point& last, std::chrono::milliseconds idle_timeout,
                           std::chrono::milliseconds visit_interval,
                           const std::function<void()>& visit) {
  net::steady_timer timer(co_await net::this_coro::executor);
  const auto tick = std::min(visit_interval, idle_timeout);
  for (;;) {
    timer.expires_after(tick);
    auto [ec] = co_await timer.async_wait(kTuple);
    if (ec) co_return;  // cancelled: a pump ended first
    if (Clock::now() - last >= idle_timeout) co_return;
    if (visit) visit();
  }
}

}  // namespace

net::awaitable<TunnelStats> Tunnel(tcp::socket& visitor, tcp::socket& app,
                                   std::chrono::milliseconds idle_timeout,
                                   std::chrono::milliseconds visit_interval,
                                   const std::function<void()>& visit) {
  using net::experimental::awaitable_operators::operator||;
  TunnelStats stats;
  Clock::time_point last = Clock::now();
  co_await (Pump(visitor, app, last, stats.to_app) || Pump(app, visitor, last, stats.to_visitor) ||
            Watch(last, idle_timeout, visit_interval, visit));
  boost::system::error_code ignored;
  visitor.shutdown(tcp::socket::shutdown_both, ignored);
  app.shutdown(tcp::socket::shutdown_both, ignored);
  app.close(ignored);
  co_return stats;
}

}  // namespace spacehub::proxy
