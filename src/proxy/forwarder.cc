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
#include <variant>
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

// How an exchange ends early: with an error page (`page`), or cut without an answer.
struct Stop {
  std::optional<Status> page;
  int http_status = 0;  // overrides the page's usual status (502, 504) when non-zero
};

Stop Page(Status status, int http_status = 0) { return Stop{std::move(status), http_status}; }
Stop Cut() { return Stop{}; }

// One relay of a request and its response, as the steps of Forward see it.
struct Relay {
  // `websocket`: the visitor asked for an upgrade (read before PrepareAppRequest rewrote it).
  Relay(http::Exchange& ex, const AppRoute& route, const ForwardLimits& limits, AppPool& pool,
        const std::function<void()>& visit, bool websocket)
      : ex(ex),
        route(route),
        limits(limits),
        pool(pool),
        head(ex.parser().get().method() == bhttp::verb::head),
        websocket(websocket),
        bp(std::move(ex.parser())),
        has_body(!bp.is_done()),
        visitor(ex.stream()),
        vbuf(ex.buffer()),
        link(LinkOf(ex, pool)),
        buf(link.buffer()),
        visits{visit, limits.visit_interval} {}

  http::Exchange& ex;
  const AppRoute& route;
  const ForwardLimits& limits;
  AppPool& pool;
  const bool head;
  const bool websocket;
  bhttp::request_parser<bhttp::buffer_body> bp;  // the visitor's request
  const bool has_body;
  beast::tcp_stream& visitor;
  beast::flat_buffer& vbuf;
  AppLink& link;
  const net::mutable_buffer buf;  // the relay buffer, both ways
  VisitClock visits;
  std::optional<beast::tcp_stream> app;
  bool reused = false;  // `app` was kept or pooled: the app may have closed it meanwhile
  beast::flat_buffer abuf;
  std::optional<bhttp::response_parser<bhttp::buffer_body>> rp;  // the app's response
};

// An app connection for the attempt: the one the visitor's connection kept, a pooled one, or a
// fresh one (then connected). A 502 page when there is none.
net::awaitable<std::optional<Stop>> OpenApp(Relay& r, int attempt) {
  r.app.reset();
  if (attempt == 0) r.link.TakeInto(r.route.instance_key, r.route.port, r.app);
  // A body cannot be sent twice: do not bet it on a kept socket the app may have closed.
  if (r.app && r.has_body && !SocketLooksIdle(r.app->socket().native_handle())) r.app.reset();
  r.reused = r.app.has_value();
  if (r.app) co_return std::nullopt;
  Result<AppPool::Lease> lease = r.pool.Acquire(r.route.instance_key, r.route.port, attempt > 0);
  if (!lease.ok()) {
    co_return Page(
        BadGateway("The Space's app does not accept connections: " + lease.status().message()),
        502);
  }
  r.reused = lease->reused;
  tcp::socket sock(r.visitor.get_executor());
  beast::error_code aec;
  sock.assign(tcp::v4(), lease->fd, aec);
  if (aec) {
    ::close(lease->fd);
    co_return Page(BadGateway(aec.message()), 502);
  }
  sock.set_option(tcp::no_delay(true), aec);  // header and body go out as separate writes
  if (!lease->reused) {
    const Status connected = co_await AwaitConnected(sock, r.limits.connect_timeout);
    if (!connected.ok()) {
      co_return Page(
          BadGateway("The Space's app does not accept connections: " + connected.message()), 502);
    }
  }
  r.app.emplace(std::move(sock));
  co_return std::nullopt;
}

// The next piece of the visitor's request body into the relay buffer; the bytes read (0 when
// the parser consumed framing only). A Stop when the visitor went away or sent too much.
net::awaitable<std::variant<size_t, Stop>> ReadBodyPiece(Relay& r, uint64_t& body_bytes,
                                                         Clock::time_point body_start) {
  auto& body = r.bp.get().body();
  body.data = static_cast<char*>(r.buf.data());
  body.size = r.buf.size();
  r.visitor.expires_at(
      std::min(r.ex.BodyReadDeadline(body_start, body_bytes),
               Clock::now() + std::chrono::duration_cast<Clock::duration>(r.limits.io_timeout)));
  auto [rec, rn] = co_await bhttp::async_read_some(r.visitor, r.vbuf, r.bp, kTuple);
  if (rec == bhttp::error::need_buffer) rec = {};
  if (rec) {
    // The visitor went away (or stalled) mid-upload: the app gets a cut connection, not a
    // short body it could mistake for a whole one.
    spdlog::info("proxy: visitor aborted the request rid={} error={}", r.ex.request().request_id,
                 rec.message());
    r.app->close();
    co_return Cut();
  }
  const size_t got = r.buf.size() - body.size;
  body_bytes += got;
  if (r.limits.max_body_bytes > 0 && body_bytes > r.limits.max_body_bytes) {
    r.app->close();
    co_return Page(Status::PayloadTooLarge("Request body too large"));
  }
  co_return got;
}

// The request to the app: the header, then the body as it arrives. Whether the app took it all
// (false: it closed the connection meanwhile), or a Stop from the visitor's side.
net::awaitable<std::variant<bool, Stop>> SendRequest(Relay& r) {
  bhttp::request_serializer<bhttp::buffer_body> sr(r.bp.get());
  uint64_t body_bytes = 0;
  // A body relayed to an app has the hub's whole-body deadline too (a slow sender must not
  // hold a connection to the app, and the hub's memory, for ever).
  const auto body_start = Clock::now();
  do {
    size_t got = 0;
    if (!r.bp.is_done()) {
      std::variant<size_t, Stop> piece = co_await ReadBodyPiece(r, body_bytes, body_start);
      if (auto* stop = std::get_if<Stop>(&piece)) co_return std::move(*stop);
      got = std::get<size_t>(piece);
      if (got == 0 && !r.bp.is_done()) continue;
    }
    auto& body = r.bp.get().body();
    body.data = got ? static_cast<char*>(r.buf.data()) : nullptr;
    body.size = got;
    body.more = !r.bp.is_done();
    r.app->expires_after(r.limits.io_timeout);
    auto [wec, wn] = co_await bhttp::async_write(*r.app, sr, kTuple);
    if (wec == bhttp::error::need_buffer) wec = {};
    if (wec) co_return false;
  } while (!r.bp.is_done() || !sr.is_done());
  co_return true;
}

// The app's response header (1xx other than 101 are interim: skipped).
net::awaitable<beast::error_code> ReadResponseHeader(Relay& r) {
  for (;;) {
    r.rp.emplace();
    r.rp->header_limit(r.limits.max_response_header_bytes);
    r.rp->body_limit(boost::none);
    if (r.head) r.rp->skip(true);
    r.app->expires_after(r.limits.read_timeout);
    auto [ec, n] = co_await bhttp::async_read_header(*r.app, r.abuf, *r.rp, kTuple);
    if (ec) co_return ec;
    const unsigned code = r.rp->get().result_int();
    if (code < 100 || code >= 200 || code == 101) co_return ec;
  }
}

// Steps 1 and 2 of Forward: a connection to the app, the request, the response header. A reused
// socket that the app closed meanwhile fails before any response byte: one retry on a fresh one,
// when no body byte was consumed yet.
net::awaitable<std::optional<Stop>> RequestUntilHeader(Relay& r) {
  for (int attempt = 0;; ++attempt) {
    std::optional<Stop> no_app = co_await OpenApp(r, attempt);
    if (no_app) co_return no_app;
    std::variant<bool, Stop> sent_or_stop = co_await SendRequest(r);
    if (auto* stop = std::get_if<Stop>(&sent_or_stop)) co_return std::move(*stop);
    const bool sent = std::get<bool>(sent_or_stop);
    if (r.bp.is_done()) r.ex.BodyRead();
    beast::error_code hec;
    if (sent) hec = co_await ReadResponseHeader(r);
    if (sent && !hec) co_return std::nullopt;
    r.app->close();
    const bool stale = r.reused && !r.has_body && r.abuf.size() == 0 && !IsTimeout(hec);
    if (stale && attempt == 0) {
      r.abuf.clear();
      continue;
    }
    if (IsTimeout(hec)) co_return Page(AppTooSlow(), 504);
    const std::string why =
        !sent ? "the app closed the connection while receiving the request" : hec.message();
    co_return Page(BadGateway("The Space's app sent no valid response: " + why), 502);
  }
}

// Step 3: a websocket the app accepted (101): the visitor gets the app's header, then bytes
// flow both ways until one side closes. The visitor's connection ends with it.
net::awaitable<bool> TunnelUpgraded(Relay& r) {
  auto& res = r.rp->get();
  const int status = static_cast<int>(res.result_int());
  if (!r.websocket) {
    r.app->close();
    http::Response answer =
        ErrorPage(r.ex.request(), BadGateway("The app switched protocols unasked"), 502);
    const bool more = co_await r.ex.Respond(std::move(answer));
    co_return more;
  }
  PrepareVisitorResponse(res.base(), /*switching=*/true);
  bhttp::response_serializer<bhttp::buffer_body> rs(res);
  r.visitor.expires_after(r.limits.io_timeout);
  auto [wec, wn] = co_await bhttp::async_write_header(r.visitor, rs, kTuple);
  bool flushed = !wec;
  // Bytes already read past either header belong to the tunnel.
  if (flushed && r.abuf.size() > 0) {
    auto [ec1, n1] = co_await net::async_write(r.visitor.socket(), r.abuf.data(), kTuple);
    flushed = !ec1;
    r.abuf.consume(r.abuf.size());
  }
  if (flushed && r.vbuf.size() > 0) {
    auto [ec2, n2] = co_await net::async_write(r.app->socket(), r.vbuf.data(), kTuple);
    flushed = !ec2;
    r.vbuf.consume(r.vbuf.size());
  }
  if (!flushed) {
    r.app->close();
    r.ex.Record(status, 0, false);
    co_return false;
  }
  r.visitor.expires_never();
  r.app->expires_never();
  TunnelStats st =
      co_await Tunnel(r.visitor.socket(), r.app->socket(), r.limits.tunnel_idle_timeout,
                      r.limits.visit_interval, r.visits.visit);
  r.ex.Record(status, st.to_visitor, true);
  co_return false;
}

// The response body, piece by piece as the app sends it, through `rs`. The body bytes sent;
// false when either side failed (the visitor's response is then cut short).
net::awaitable<bool> RelayResponseBody(Relay& r, bhttp::response_serializer<bhttp::buffer_body>& rs,
                                       uint64_t& sent_bytes) {
  auto& body = r.rp->get().body();
  do {
    body.data = static_cast<char*>(r.buf.data());
    body.size = r.buf.size();
    r.app->expires_after(r.limits.read_timeout);
    auto [rec, rn] = co_await bhttp::async_read_some(*r.app, r.abuf, *r.rp, kTuple);
    if (rec == bhttp::error::need_buffer) rec = {};
    if (rec) {
      // The app died or stalled mid-response: cut the visitor's response short.
      spdlog::info("proxy: app response aborted rid={} error={}", r.ex.request().request_id,
                   rec.message());
      co_return false;
    }
    const size_t got = r.buf.size() - body.size;
    if (got == 0 && !r.rp->is_done()) continue;
    body.data = got ? static_cast<char*>(r.buf.data()) : nullptr;
    body.size = got;
    body.more = !r.rp->is_done();
    r.visitor.expires_after(r.limits.io_timeout);
    auto [wec, wn] = co_await bhttp::async_write(r.visitor, rs, kTuple);
    if (wec == bhttp::error::need_buffer) wec = {};
    if (wec) co_return false;
    sent_bytes += got;
    r.visits.Tick();
  } while (!r.rp->is_done() || !rs.is_done());
  co_return true;
}

// Step 4: the response, header then body. Whether the visitor may keep its connection, or
// nullopt when the response could not go out whole.
net::awaitable<std::optional<bool>> RelayResponse(Relay& r) {
  auto& res = r.rp->get();
  const int status = static_cast<int>(res.result_int());
  PrepareVisitorResponse(res.base(), /*switching=*/false);
  bool keep_visitor = r.ex.keep_alive();
  const bool close_delimited =
      !r.head && !r.rp->is_done() && !r.rp->chunked() && !r.rp->content_length().has_value();
  if (close_delimited) {
    // The app ends its body by closing; the visitor gets it chunked (or a close as well).
    if (r.bp.get().version() >= 11) {
      res.chunked(true);
    } else {
      keep_visitor = false;
    }
  }
  res.version(11);
  res.keep_alive(keep_visitor);
  bhttp::response_serializer<bhttp::buffer_body> rs(res);
  bool ok = true;
  uint64_t sent_bytes = 0;
  r.visitor.expires_after(r.limits.io_timeout);
  if (r.head || r.rp->is_done()) {
    auto [wec, wn] = co_await bhttp::async_write_header(r.visitor, rs, kTuple);
    ok = !wec;
  } else {
    ok = co_await RelayResponseBody(r, rs, sent_bytes);
  }
  r.ex.Record(status, sent_bytes, ok);
  if (!ok) {
    r.app->close();
    co_return std::nullopt;
  }
  co_return keep_visitor;
}

net::awaitable<bool> End(http::Exchange& ex, const Stop& stop) {
  if (!stop.page) co_return false;
  http::Response answer = ErrorPage(ex.request(), *stop.page, stop.http_status);
  const bool more = co_await ex.Respond(std::move(answer));
  co_return more;
}

}  // namespace

net::awaitable<bool> Forwarder::Forward(http::Exchange& ex, const AppRoute& route,
                                        const std::function<void()>& visit,
                                        const Lane* lane) const {
  auto& hp = ex.parser();
  if (limits_.max_body_bytes > 0) {
    const auto cl = hp.content_length();
    if (cl && *cl > limits_.max_body_bytes) {
      const Stop stop = Page(Status::PayloadTooLarge("Request body too large"));
      const bool more = co_await End(ex, stop);
      co_return more;
    }
  }
  const bool continued = co_await ex.ContinueIfExpected();
  if (!continued) co_return false;
  const bool websocket = IsWebSocketUpgrade(hp.get());
  PrepareAppRequest(hp.get().base(), route.forwarded, websocket);
  hp.get().target(route.target);
  Relay r(ex, route, limits_, pool_, visit, websocket);

  // 1, 2. A connection to the app, the request, and the response header.
  std::optional<Stop> stop = co_await RequestUntilHeader(r);
  if (stop) {
    const bool more = co_await End(ex, *stop);
    co_return more;
  }
  // 3. A websocket the app accepted: tunnel until one side closes.
  if (r.rp->get().result_int() == 101) {
    const bool more = co_await TunnelUpgraded(r);
    co_return more;
  }
  // 4. The response: header, then the body piece by piece as the app sends it.
  const bool app_keep_alive = r.rp->keep_alive();
  std::optional<bool> keep_visitor = co_await RelayResponse(r);
  if (!keep_visitor) co_return false;
  // 5. The app's connection goes back to the pool when both ends of the exchange were clean. Not
  //    after HEAD: an app that wrongly sends a body anyway would corrupt the next exchange.
  if (app_keep_alive && !r.head && r.rp->is_done() && r.abuf.size() == 0 && r.bp.is_done()) {
    r.link.Keep(route.instance_key, route.port, std::move(*r.app));
    if (lane && *keep_visitor) r.link.ArmLane(*lane);
  } else {
    r.app->close();
  }
  co_return *keep_visitor&& r.bp.is_done();
}

}  // namespace spacehub::proxy
