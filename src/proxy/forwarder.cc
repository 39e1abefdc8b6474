// Forwarder: the relay loops follow Beast's buffer_body pattern: a parser on one side fills a
// fixed buffer, a serializer over the same message drains it on the other side, so each piece is
// written as soon as it was read (a server-sent event is flushed as it arrives) and memory stays
// bounded whatever the body size.
#include "proxy/forwarder.h"

#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include "core/log.h"
#include "proxy/app_link.h"
#include "proxy/pages.h"
#include "proxy/tunnel.h"

namespace spacehub::proxy {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kTuple = net::as_tuple(net::use_awaitable);

Status BadGateway(std::string message) {
  return Status::Unavailable(std::move(message)).WithReason("BadGateway");
}

// Calls `visit` when `interval` passed since the last call.
struct VisitClock {
  const std::function<void()>& visit;
  std::chrono::milliseconds interval;
  Clock::time_point last = Clock::now();
  void Tick() {
    if (!visit) return;
    const auto now = Clock::now();
    if (now - last >= interval) {
      last = now;
      visit();
    }
  }
};

bool IsTimeout(const beast::error_code& ec) { return ec == beast::error::timeout; }

// Waits until a connection under way (AppPool's fresh sockets) is established or failed.
net::awaitable<Status> AwaitConnected(tcp::socket& sock, std::chrono::milliseconds timeout) {
  using namespace net::experimental::awaitable_operators;  // NOLINT(google-build-using-namespace)
  net::steady_timer timer(sock.get_executor(), timeout);
  auto done =
      co_await (sock.async_wait(tcp::socket::wait_write, kTuple) || timer.async_wait(kTuple));
  if (done.index() == 1) co_return Status::Unavailable("connection timed out");
  if (auto [ec] = std::get<0>(done); ec) co_return Status::Unavailable(ec.message());
  int err = 0;
  socklen_t len = sizeof(err);
  if (::getsockopt(sock.native_handle(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  if (err != 0) co_return Status::Unavailable(std::strerror(err));
  co_return Status::Ok();
}

AppLink& LinkOf(http::Exchange& ex, AppPool& pool) {
  auto& state = ex.connection_state();
  if (auto* link = dynamic_cast<AppLink*>(state.get())) return *link;
  state = std::make_unique<AppLink>(pool);
  return static_cast<AppLink&>(*state);
}

}  // namespace

net::awaitable<bool> Forwarder::Forward(http::Exchange& ex, const AppRoute& route,
                                        const std::function<void()>& visit,
                                        const Lane* lane) const {
  http::Request& req = ex.request();
  auto& hp = ex.parser();
  const bool head = hp.get().method() == bhttp::verb::head;
  const bool websocket = IsWebSocketUpgrade(hp.get());
  if (limits_.max_body_bytes > 0) {
    auto cl = hp.content_length();
    if (cl && *cl > limits_.max_body_bytes) {
      http::Response answer = ErrorPage(req, Status::PayloadTooLarge("Request body too large"));
      const bool more = co_await ex.Respond(std::move(answer));
      co_return more;
    }
  }
  const bool continued = co_await ex.ContinueIfExpected();
  if (!continued) co_return false;
  PrepareAppRequest(hp.get().base(), route.forwarded, websocket);
  hp.get().target(route.target);

  bhttp::request_parser<bhttp::buffer_body> bp(std::move(hp));
  const bool has_body = !bp.is_done();
  beast::tcp_stream& visitor = ex.stream();
  beast::flat_buffer& vbuf = ex.buffer();
  AppLink& link = LinkOf(ex, pool_);
  const net::mutable_buffer buf = link.buffer();
  VisitClock visits{visit, limits_.visit_interval};

  // 1. A connection to the app, and the request (header, then the body as it arrives). A reused
  //    socket that the app closed meanwhile fails before any response byte: one retry on a fresh
  //    one, when no body byte was consumed yet.
  std::optional<beast::tcp_stream> app;
  beast::flat_buffer abuf;
  std::optional<bhttp::response_parser<bhttp::buffer_body>> rp;
  bool reused = false;
  for (int attempt = 0;; ++attempt) {
    app.reset();
    if (attempt == 0) link.TakeInto(route.instance_key, route.port, app);
    // A body cannot be sent twice: do not bet it on a kept socket the app may have closed.
    if (app && has_body && !SocketLooksIdle(app->socket().native_handle())) app.reset();
    reused = app.has_value();
    if (!app) {
      Result<AppPool::Lease> lease = pool_.Acquire(route.instance_key, route.port, attempt > 0);
      if (!lease.ok()) {
        http::Response answer = ErrorPage(
            req,
            BadGateway("The Space's app does not accept connections: " + lease.status().message()),
            502);
        const bool more = co_await ex.Respond(std::move(answer));
        co_return more;
      }
      reused = lease->reused;
      tcp::socket sock(visitor.get_executor());
      beast::error_code aec;
      sock.assign(tcp::v4(), lease->fd, aec);
      if (aec) {
        ::close(lease->fd);
        http::Response answer = ErrorPage(req, BadGateway(aec.message()), 502);
        const bool more = co_await ex.Respond(std::move(answer));
        co_return more;
      }
      sock.set_option(tcp::no_delay(true), aec);  // header and body go out as separate writes
      if (!lease->reused) {
        const Status connected = co_await AwaitConnected(sock, limits_.connect_timeout);
        if (!connected.ok()) {
          http::Response answer = ErrorPage(
              req,
              BadGateway("The Space's app does not accept connections: " + connected.message()),
              502);
          const bool more = co_await ex.Respond(std::move(answer));
          co_return more;
        }
      }
      app.emplace(std::move(sock));
    }
    bhttp::request_serializer<bhttp::buffer_body> sr(bp.get());
    bool sent = true;
    uint64_t body_bytes = 0;
    // A body relayed to an app has the hub's whole-body deadline too (a slow sender must not
    // hold a connection to the app, and the hub's memory, for ever).
    const auto body_start = std::chrono::steady_clock::now();
    do {
      size_t got = 0;
      if (!bp.is_done()) {
        bp.get().body().data = static_cast<char*>(buf.data());
        bp.get().body().size = buf.size();
        visitor.expires_at(
            std::min(ex.BodyReadDeadline(body_start, body_bytes),
                     std::chrono::steady_clock::now() +
                         std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                             limits_.io_timeout)));
        auto [rec, rn] = co_await bhttp::async_read_some(visitor, vbuf, bp, kTuple);
        if (rec == bhttp::error::need_buffer) rec = {};
        if (rec) {
          // The visitor went away (or stalled) mid-upload: the app gets a cut connection, not a
          // short body it could mistake for a whole one.
          spdlog::info("proxy: visitor aborted the request rid={} error={}", req.request_id,
                       rec.message());
          app->close();
          co_return false;
        }
        got = buf.size() - bp.get().body().size;
        body_bytes += got;
        if (limits_.max_body_bytes > 0 && body_bytes > limits_.max_body_bytes) {
          app->close();
          http::Response answer = ErrorPage(req, Status::PayloadTooLarge("Request body too large"));
          const bool more = co_await ex.Respond(std::move(answer));
          co_return more;
        }
        if (got == 0 && !bp.is_done()) continue;
      }
      bp.get().body().data = got ? static_cast<char*>(buf.data()) : nullptr;
      bp.get().body().size = got;
      bp.get().body().more = !bp.is_done();
      app->expires_after(limits_.io_timeout);
      auto [wec, wn] = co_await bhttp::async_write(*app, sr, kTuple);
      if (wec == bhttp::error::need_buffer) wec = {};
      if (wec) {
        sent = false;
        break;
      }
    } while (!bp.is_done() || !sr.is_done());
    if (bp.is_done()) ex.BodyRead();

    // 2. The response header (1xx other than 101 are interim: skipped).
    beast::error_code hec;
    if (sent) {
      for (;;) {
        rp.emplace();
        rp->header_limit(limits_.max_response_header_bytes);
        rp->body_limit(boost::none);
        if (head) rp->skip(true);
        app->expires_after(limits_.read_timeout);
        auto [ec, n] = co_await bhttp::async_read_header(*app, abuf, *rp, kTuple);
        hec = ec;
        if (ec) break;
        const unsigned code = rp->get().result_int();
        if (code < 100 || code >= 200 || code == 101) break;
      }
    }
    if (sent && !hec) break;
    app->close();
    const bool stale = reused && !has_body && abuf.size() == 0 && !IsTimeout(hec);
    if (stale && attempt == 0) {
      abuf.clear();
      continue;
    }
    if (IsTimeout(hec)) {
      http::Response answer =
          ErrorPage(req,
                    Status::Unavailable("The Space's app did not answer in time")
                        .WithReason("GatewayTimeout"),
                    504);
      const bool more = co_await ex.Respond(std::move(answer));
      co_return more;
    }
    const std::string why =
        !sent ? "the app closed the connection while receiving the request" : hec.message();
    http::Response answer =
        ErrorPage(req, BadGateway("The Space's app sent no valid response: " + why), 502);
    const bool more = co_await ex.Respond(std::move(answer));
    co_return more;
  }

  // 3. A websocket the app accepted: tunnel until one side closes.
  auto& res = rp->get();
  const int status = static_cast<int>(res.result_int());
  if (status == 101) {
    if (!websocket) {
      app->close();
      const bool more = co_await ex.Respond(
          ErrorPage(req, BadGateway("The app switched protocols unasked"), 502));
      co_return more;
    }
    PrepareVisitorResponse(res.base(), /*switching=*/true);
    bhttp::response_serializer<bhttp::buffer_body> rs(res);
    visitor.expires_after(limits_.io_timeout);
    auto [wec, wn] = co_await bhttp::async_write_header(visitor, rs, kTuple);
    if (wec) {
      app->close();
      ex.Record(status, 0, false);
      co_return false;
    }
    // Bytes already read past either header belong to the tunnel.
    bool flushed = true;
    if (abuf.size() > 0) {
      auto [ec1, n1] = co_await net::async_write(visitor.socket(), abuf.data(), kTuple);
      flushed = !ec1;
      abuf.consume(abuf.size());
    }
    if (flushed && vbuf.size() > 0) {
      auto [ec2, n2] = co_await net::async_write(app->socket(), vbuf.data(), kTuple);
      flushed = !ec2;
      vbuf.consume(vbuf.size());
    }
    if (!flushed) {
      app->close();
      ex.Record(status, 0, false);
      co_return false;
    }
    visitor.expires_never();
    app->expires_never();
    TunnelStats st = co_await Tunnel(visitor.socket(), app->socket(), limits_.tunnel_idle_timeout,
                                     limits_.visit_interval, visit);
    ex.Record(status, st.to_visitor, true);
    co_return false;
  }

  // 4. The response: header, then the body piece by piece as the app sends it.
  const bool app_keep_alive = rp->keep_alive();
  PrepareVisitorResponse(res.base(), /*switching=*/false);
  const bool client_11 = bp.get().version() >= 11;
  bool keep_visitor = ex.keep_alive();
  const bool close_delimited =
      !head && !rp->is_done() && !rp->chunked() && !rp->content_length().has_value();
  if (close_delimited) {
    // The app ends its body by closing; the visitor gets it chunked (or a close as well).
    if (client_11) {
      res.chunked(true);
    } else {
      keep_visitor = false;
    }
  }
  res.version(11);
  res.keep_alive(keep_visitor);
  bhttp::response_serializer<bhttp::buffer_body> rs(res);
  uint64_t sent_bytes = 0;
  visitor.expires_after(limits_.io_timeout);
  if (head || rp->is_done()) {
    auto [wec, wn] = co_await bhttp::async_write_header(visitor, rs, kTuple);
    ex.Record(status, 0, !wec);
    if (wec) {
      app->close();
      co_return false;
    }
  } else {
    bool ok = true;
    do {
      res.body().data = static_cast<char*>(buf.data());
      res.body().size = buf.size();
      app->expires_after(limits_.read_timeout);
      auto [rec, rn] = co_await bhttp::async_read_some(*app, abuf, *rp, kTuple);
      if (rec == bhttp::error::need_buffer) rec = {};
      if (rec) {
        // The app died or stalled mid-response: cut the visitor's response short.
        spdlog::info("proxy: app response aborted rid={} error={}", req.request_id, rec.message());
        ok = false;
        break;
      }
      const size_t got = buf.size() - res.body().size;
      if (got == 0 && !rp->is_done()) continue;
      res.body().data = got ? static_cast<char*>(buf.data()) : nullptr;
      res.body().size = got;
      res.body().more = !rp->is_done();
      visitor.expires_after(limits_.io_timeout);
      auto [wec, wn] = co_await bhttp::async_write(visitor, rs, kTuple);
      if (wec == bhttp::error::need_buffer) wec = {};
      if (wec) {
        ok = false;
        break;
      }
      sent_bytes += got;
      visits.Tick();
    } while (!rp->is_done() || !rs.is_done());
    ex.Record(status, sent_bytes, ok);
    if (!ok) {
      app->close();
      co_return false;
    }
  }

  // 5. The app's connection goes back to the pool when both ends of the exchange were clean. Not
  //    after HEAD: an app that wrongly sends a body anyway would corrupt the next exchange.
  if (app_keep_alive && !head && rp->is_done() && abuf.size() == 0 && bp.is_done()) {
    link.Keep(route.instance_key, route.port, std::move(*app));
    if (lane && keep_visitor && bp.is_done()) link.ArmLane(*lane);
  } else {
    app->close();
  }
  co_return keep_visitor&& bp.is_done();
}

}  // namespace spacehub::proxy
