// The fast lane of AppLink (see app_link.h for when it applies). Per request: one read of the
// visitor's head (done by the connection), one write of the rewritten head to the kept app
// connection, reads of the app's answer, and writes of it to the visitor as it came: the head
// rewritten, the body bytes untouched (sized, chunked or up to the app's close), Beast's parser
// following the framing to find where the message ends. Writes go out directly when the socket
// takes them (no trip through the reactor); only the rest waits for it.
#include <sys/socket.h>
#include <sys/uio.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <cerrno>
#include <variant>

#include "core/log.h"
#include "http/head_length.h"
#include "http/server.h"
#include "proxy/app_link.h"
#include "proxy/pages.h"

namespace spacehub::proxy {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kTuple = net::as_tuple(net::use_awaitable);
constexpr size_t kAppRead = size_t{64} * 1024;

// Sends what the socket takes right now; the number of bytes, or -1 on an error.
ssize_t SendNow(int fd, std::string_view a, std::string_view b) {
  std::array<iovec, 2> iov{iovec{const_cast<char*>(a.data()), a.size()},
                           iovec{const_cast<char*>(b.data()), b.size()}};
  msghdr msg{};
  msg.msg_iov = iov.data();
  msg.msg_iovlen = b.empty() ? 1 : 2;
  for (;;) {
    const ssize_t n = ::sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n >= 0) return n;
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
  }
}

// Writes what SendNow left of `a` then `b` (`sent` bytes went) through the reactor within
// `timeout`. False on an error or timeout. (The common case, all sent at once, never gets here:
// a coroutine frame per write is a measurable cost on this path.)
net::awaitable<bool> WriteRest(beast::tcp_stream& s, std::string_view a, std::string_view b,
                               size_t sent, std::chrono::milliseconds timeout) {
  std::array<net::const_buffer, 2> rest;
  if (sent < a.size()) {
    rest = {net::buffer(a.substr(sent)), net::buffer(b)};
  } else {
    rest = {net::const_buffer(), net::buffer(b.substr(sent - a.size()))};
  }
  s.expires_after(timeout);
  auto [ec, written] = co_await net::async_write(s, rest, kTuple);
  co_return !ec;
}

// After a read of the app's answer on the bare socket (timed by `deadline`, not by a timer per
// read): the error to act on, a cut by the deadline being a timeout; the bytes are committed.
beast::error_code ReadDone(beast::error_code ec, size_t n, beast::flat_buffer& b,
                           http::LazyDeadline& deadline) {
  deadline.Stop();
  if (ec && deadline.expired()) return beast::error::timeout;
  if (!ec) b.commit(n);
  return ec;
}

Status NoValidResponse(const std::string& why) {
  return BadGateway("The Space's app sent no valid response: " + why);
}

std::string_view Front(const beast::flat_buffer& b, size_t n) {
  return {static_cast<const char*>(b.data().data()), n};
}

// The Request an error page is written for (the general path's answers, the same way).
http::Request ErrorRequest(const RawRequestParser& rp, const RawHead& h, std::string request_id,
                           const std::string& remote, bool keep_alive) {
  http::Request r;
  r.method = http::ToMethod(rp.method);
  r.target = std::string(rp.target);
  r.path = r.target.substr(0, r.target.find('?'));
  r.request_id = std::move(request_id);
  r.remote_address = remote;
  r.keep_alive = keep_alive;
  if (!h.accept.empty()) r.headers.emplace_back("accept", std::string(h.accept));
  return r;
}

}  // namespace

// One request on the lane, as the steps of ServeRaw see it.
struct AppLink::RawCall {
  RawCall(http::RawExchange& rx, RawHead& scratch)
      : rx(rx), head(rx.head()), h(scratch), rp(scratch) {}
  std::string RequestId() const { return http::PickRequestId(h.x_request_id, h.x_amzn_trace_id); }

  http::RawExchange& rx;
  const std::string_view head;  // the visitor's request head, whole
  const RawHead& h;             // its fields, as `rp` parsed them
  RawRequestParser rp;
  bool head_method = false;
  bool keep_visitor = false;
};

// The app's answer relayed (step 4 of ServeRaw).
struct AppLink::Relayed {
  bool ok = true;  // the whole response went out
  uint64_t body_bytes = 0;
  bool lane_stale = false;  // a visit found that the lane no longer holds
};

net::awaitable<std::optional<bool>> AppLink::ServeRaw(http::RawExchange& rx) {
  RawCall call(rx, request_head_);
  if (!Accepts(call)) co_return std::nullopt;
  if (!deadline_) deadline_.emplace(stream_->get_executor());
  const bool sent = co_await SendRequestHead(call);
  if (!sent) {
    Drop();
    co_return std::nullopt;
  }
  std::optional<RawResponseParser> res;
  std::variant<size_t, Served> head_used = co_await ReadResponseHead(call, res);
  if (auto* served = std::get_if<Served>(&head_used)) co_return *served;
  const bool app_keep = res->keep_alive();
  const bool close_delimited = !res->is_done() && !res->chunked() && !res->content_length();
  const bool keep = call.keep_visitor && !close_delimited;
  const Relayed relayed =
      co_await RelayResponse(call, *res, std::get<size_t>(head_used), close_delimited, keep);
  if (spdlog::should_log(spdlog::level::info)) {
    rx.Log(call.RequestId(), call.rp.method_string, call.rp.target, res->status, relayed.body_bytes,
           relayed.ok);
  }
  rx.buffer().consume(call.head.size());
  if (relayed.lane_stale) lane_.reset();
  if (!relayed.ok) {
    Drop();
    co_return false;
  }
  // 5. The app connection stays for the next request when both ends were clean; not after HEAD
  //    (an app that wrongly sends a body anyway would corrupt the next exchange).
  if (!app_keep || call.head_method || app_buffer_.size() > 0) Drop();
  co_return keep;
}

// 1. A plain HTTP/1.1 request to this lane's Host, or the general path takes it; the lane is
//    re-checked every check_interval (and ends when it no longer holds).
bool AppLink::Accepts(RawCall& call) {
  Lane& lane = *lane_;
  RawRequestParser& rp = call.rp;
  rp.header_limit(
      static_cast<uint32_t>(std::min<size_t>(call.rx.options().max_header_bytes, UINT32_MAX)));
  beast::error_code pec;
  const size_t used = rp.Parse(call.head, pec);
  const RawHead& h = call.h;
  // Only safe methods: a request the app may have seen before its connection broke is sent again
  // on the general path, which only HTTP's idempotent methods allow (RFC 9110 §9.2.2).
  const bool safe = rp.method == bhttp::verb::get || rp.method == bhttp::verb::head ||
                    rp.method == bhttp::verb::options;
  if (pec || used != call.head.size() || !rp.is_done() || !safe || rp.version != 11 ||
      rp.upgrade() || h.upgrade_field || h.expect || h.hosts != 1 || h.host != lane.host ||
      rp.target.empty() || rp.target[0] != '/' || HasMalformedEscape(rp.target)) {
    return false;
  }
  if (call.rx.start() - lane.checked >= lane.check_interval) {
    if (!lane.check()) {
      lane_.reset();
      return false;
    }
    lane.checked = call.rx.start();
  }
  call.head_method = rp.method == bhttp::verb::head;
  call.keep_visitor = rp.keep_alive() && !call.rx.stopping();
  return true;
}

// 2. The request to the app. False when the kept connection failed (the app closed it
//    meanwhile, before any response byte): ServeRaw declines, the general path retries.
net::awaitable<bool> AppLink::SendRequestHead(RawCall& call) {
  out_.clear();
  AppendAppRequestHead(call.rp.method_string, call.rp.target, call.h, lane_->forwarded, out_);
  const ssize_t now = SendNow(stream_->socket().native_handle(), out_, {});
  bool sent = now == static_cast<ssize_t>(out_.size());
  if (!sent && now >= 0) {
    sent =
        co_await WriteRest(*stream_, out_, {}, static_cast<size_t>(now), lane_->limits->io_timeout);
  }
  co_return sent;
}

net::awaitable<AppLink::Served> AppLink::Fail(RawCall& call, Status status, int code) {
  Drop();
  http::Request r =
      ErrorRequest(call.rp, call.h, call.RequestId(), call.rx.remote_address(), call.keep_visitor);
  call.rx.buffer().consume(call.head.size());
  http::Response answer = ErrorPage(r, status, code);
  const bool more = co_await call.rx.Respond(r, std::move(answer), call.keep_visitor);
  co_return more;
}

// 3. The response header (1xx other than 101 are interim: skipped): its length in app_buffer_,
//    or what ServeRaw returns (an error page went out, or declined).
net::awaitable<std::variant<size_t, AppLink::Served>> AppLink::ReadResponseHead(
    RawCall& call, std::optional<RawResponseParser>& res) {
  const ForwardLimits& limits = *lane_->limits;
  bool any_byte = app_buffer_.size() > 0;
  for (;;) {
    res.emplace(response_head_);
    res->header_limit(limits.max_response_header_bytes);
    res->body_limit(boost::none);
    if (call.head_method) res->skip(true);
    size_t searched = 0;
    size_t head_used = 0;
    for (;;) {
      // The head is parsed once it is whole (fed in pieces, the parser would keep views into
      // bytes that a later read moves).
      const std::string_view got = Front(app_buffer_, app_buffer_.size());
      head_used = http::HeadLength(got, searched);
      searched = got.size();
      if (head_used == 0 && got.size() > limits.max_response_header_bytes) {
        Status fault = NoValidResponse("header too large");
        Served r = co_await Fail(call, std::move(fault), 502);
        co_return r;
      }
      if (head_used > 0) {
        beast::error_code ec;
        const size_t parsed = res->Parse(got.substr(0, head_used), ec);
        if (!ec && parsed == head_used) break;
        if (!ec) ec = bhttp::error::bad_field;  // a head that ends before the parser's
        Status fault = NoValidResponse(ec.message());
        Served r = co_await Fail(call, std::move(fault), 502);
        co_return r;
      }
      const beast::error_code ec = co_await ReadFromApp(limits.read_timeout);
      if (ec && !any_byte && ec != beast::error::timeout) {
        Drop();
        co_return Served{};
      }
      if (ec == beast::error::timeout) {
        Status fault = AppTooSlow();
        Served r = co_await Fail(call, std::move(fault), 504);
        co_return r;
      }
      if (ec) {
        Status fault = NoValidResponse(ec.message());
        Served r = co_await Fail(call, std::move(fault), 502);
        co_return r;
      }
      any_byte = true;
    }
    if (res->status == 101) {
      Status fault = BadGateway("The app switched protocols unasked");
      Served r = co_await Fail(call, std::move(fault), 502);
      co_return r;
    }
    if (res->status < 100 || res->status >= 200) co_return head_used;
    app_buffer_.consume(head_used);
  }
}

net::awaitable<beast::error_code> AppLink::ReadFromApp(std::chrono::milliseconds timeout) {
  deadline_->Start(stream_->socket(), timeout);
  auto [rec, rn] =
      co_await stream_->socket().async_read_some(app_buffer_.prepare(kAppRead), kTuple);
  co_return ReadDone(rec, rn, app_buffer_, *deadline_);
}

// 4. The response: the head rewritten, then the body as the app sends it, byte for byte (the
//    parser only follows the framing to find where the message ends).
net::awaitable<AppLink::Relayed> AppLink::RelayResponse(RawCall& call, RawResponseParser& res,
                                                        size_t head_used, bool close_delimited,
                                                        bool keep) {
  const ForwardLimits& limits = *lane_->limits;
  out_.clear();
  AppendVisitorResponseHead(res.status, res.reason, response_head_, !keep, out_);
  app_buffer_.consume(head_used);
  res.eager(true);
  Relayed relayed;
  bool head_out = false;
  for (;;) {
    size_t n = 0;
    if (!res.is_done() && app_buffer_.size() > 0) {
      beast::error_code ec;
      n = res.put(app_buffer_.data(), ec);
      if (ec == bhttp::error::need_more) ec = {};
      if (ec) {
        spdlog::info("proxy: app response malformed error={}", ec.message());
        relayed.ok = false;
        break;
      }
    }
    if (!head_out || n > 0) {
      // The head goes out with the first body bytes, in one write.
      const std::string_view first = head_out ? std::string_view() : std::string_view{out_};
      const std::string_view piece = Front(app_buffer_, n);
      const ssize_t out = SendNow(call.rx.stream().socket().native_handle(), first, piece);
      bool written = out == static_cast<ssize_t>(first.size() + piece.size());
      if (!written && out >= 0) {
        written = co_await WriteRest(call.rx.stream(), first, piece, static_cast<size_t>(out),
                                     limits.io_timeout);
      }
      if (!written) {
        relayed.ok = false;
        break;
      }
      head_out = true;
      relayed.body_bytes += n;
      app_buffer_.consume(n);
    }
    if (res.is_done()) break;
    if (!VisitWhileStreaming()) relayed.lane_stale = true;
    const beast::error_code ec = co_await ReadFromApp(limits.read_timeout);
    if (ec == net::error::eof && close_delimited) {
      beast::error_code eec;
      res.put_eof(eec);
      break;
    }
    if (ec) {
      // The app died or stalled mid-response: cut the visitor's response short.
      spdlog::info("proxy: app response aborted error={}", ec.message());
      relayed.ok = false;
      break;
    }
  }
  co_return relayed;
}

bool AppLink::VisitWhileStreaming() {
  Lane& lane = *lane_;
  if (Clock::now() - lane.checked < lane.limits->visit_interval) return true;
  // A visit (the Space's sleep timer). A long stream is not cut by a change of the Space, but the
  // lane ends with it.
  if (!lane.check()) return false;
  lane.checked = Clock::now();
  return true;
}

}  // namespace spacehub::proxy
