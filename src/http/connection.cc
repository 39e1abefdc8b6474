// Connection: reading requests (headers, buffered or streamed bodies), dispatching to the router,
// request ids and access logs. Response writing lives in connection_write.cc.
// Threading: see connection.h (one strand per connection).
#include "http/connection.h"

#include <strings.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <exception>
#include <vector>

#include "core/crypto.h"
#include "core/log.h"
#include "http/framing.h"
#include "http/guarded.h"
#include "http/head_length.h"

namespace spacehub::http {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

constexpr auto kTuple = net::as_tuple(net::use_awaitable);
constexpr size_t kStreamChunk = 256 * 1024;
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr size_t kLingerBytes = 8 * 1024 * 1024;
constexpr size_t kHeadRead = 4096;  // least free room for a read while waiting for a header

std::string_view BufferView(const beast::flat_buffer& b) {
  return {static_cast<const char*>(b.data().data()), b.size()};
}

bool IsSaneToken(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Fills method, target, path, query and headers from the parsed header. Fails on a malformed query
// or path escape.
Status BuildRequest(const bhttp::request<bhttp::empty_body>& h, Request& req) {
  req.method = ToMethod(h.method());
  req.target = std::string(h.target());
  for (const auto& f : h) req.headers.emplace_back(Lower(f.name_string()), std::string(f.value()));
  req.keep_alive = h.keep_alive();
  std::string_view target = req.target;
  size_t q = target.find('?');
  req.path = std::string(target.substr(0, q));
  if (!PercentDecode(req.path, false)) return Status::InvalidArgument("malformed path escape");
  if (q != std::string_view::npos) {
    auto query = ParseFormEncoded(target.substr(q + 1));
    if (!query) return Status::InvalidArgument("malformed query string");
    req.query = std::move(*query);
  }
  return Status::Ok();
}

// RFC 9112 §6 over the parsed head (framing.h).
Status CheckFraming(const bhttp::request<bhttp::empty_body>& h) {
  FramingCheck check;
  for (const auto& f : h) check.Field(f.name_string(), f.value());
  return check.Verdict(static_cast<int>(h.version() % 10));
}

bool IsFramingError(const beast::error_code& ec) {
  return ec == bhttp::error::bad_content_length || ec == bhttp::error::bad_transfer_encoding ||
         ec == bhttp::error::multiple_content_length;
}

Status BodyMemoryFull() {
  return Status::Unavailable("The server is busy receiving other requests; try again shortly")
      .WithReason("BodyMemoryExhausted")
      .WithRetryAfter(5);
}

bool ExpectsContinue(const Request& req) {
  std::string_view e = req.Header("expect");
  return e.size() == 12 && ::strncasecmp(e.data(), "100-continue", 12) == 0;
}

// The limit of a buffered body on `route`: small unless the route takes large bodies.
uint64_t BufferedBodyLimit(const ServerOptions& opts, const BodyRules& rules) {
  return rules.large ? opts.max_body_bytes
                     : std::min(opts.max_small_body_bytes, opts.max_body_bytes);
}

Response NoRoute(const Router::Match& match) {
  if (!match.method_mismatch) return Response::Error(Status::NotFound("Not found"));
  Response resp = Response::Error(Status::InvalidArgument("Method not allowed"));
  resp.status = 405;
  return resp;
}

// A fresh request id: 16 hex digits from a per-thread generator seeded once from the CSPRNG. Ids
// only need to be unique, not secret, and a CSPRNG call per request showed up in profiles.
std::string FreshRequestId() {
  thread_local uint64_t state = [] {
    uint64_t seed = 0;
    const std::string hex = RandomHex(8);
    for (char c : hex) seed = seed * 16 + static_cast<uint64_t>(c <= '9' ? c - '0' : c - 'a' + 10);
    return seed;
  }();
  // splitmix64
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, z >>= 4) out[i] = kHex[z & 0xf];
  return out;
}

}  // namespace

Method ToMethod(bhttp::verb v) {
  switch (v) {
    case bhttp::verb::get:
      return Method::kGet;
    case bhttp::verb::head:
      return Method::kHead;
    case bhttp::verb::post:
      return Method::kPost;
    case bhttp::verb::put:
      return Method::kPut;
    case bhttp::verb::delete_:
      return Method::kDelete;
    case bhttp::verb::patch:
      return Method::kPatch;
    case bhttp::verb::options:
      return Method::kOptions;
    default:
      return Method::kOther;
  }
}

std::string PickRequestId(const Request& req) {
  return PickRequestId(req.Header("x-request-id"), req.Header("x-amzn-trace-id"));
}

std::string PickRequestId(std::string_view x_request_id, std::string_view x_amzn_trace_id) {
  if (IsSaneToken(x_request_id)) return std::string(x_request_id);
  if (IsSaneToken(x_amzn_trace_id)) return std::string(x_amzn_trace_id);
  return FreshRequestId();
}

Connection::Connection(net::ip::tcp::socket socket, ConnectionHost& host, const Router& router)
    : stream_(std::move(socket)), host_(host), router_(router) {
  beast::error_code ec;
  auto ep = stream_.socket().remote_endpoint(ec);
  if (!ec) remote_address_ = ep.address().to_string();
}

Connection::~Connection() { host_.Unregister(this); }

void Connection::Start(const std::shared_ptr<Connection>& conn) {
  const ConnectionHost::Admission admission = conn->host_.Register(conn);
  // Stopping: the socket closes with `conn`.
  if (admission == ConnectionHost::Admission::kStopping) return;
  const bool busy = admission == ConnectionHost::Admission::kBusy;
  net::co_spawn(
      conn->executor(),
      [conn, busy]() -> net::awaitable<void> { return busy ? conn->RefuseBusy() : conn->Serve(); },
      [](const std::exception_ptr& e) {
        if (!e) return;
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          spdlog::error("connection failed what={}", ex.what());
        } catch (...) {
          spdlog::error("connection failed (unknown exception)");
        }
      });
}

void Connection::OnServerStop() {
  if (idle_) stream_.cancel();
}

net::awaitable<void> Connection::Serve() {
  // (No co_await inside conditions: g++ 12 miscompiles some of those.)
  while (true) {
    const bool more = co_await ServeOne();
    if (!more) break;
  }
  state_.reset();
  co_await LingeringClose();
}

net::awaitable<void> Connection::RefuseBusy() {
  idle_ = false;
  spdlog::info("connection refused: {} has too many open connections", remote_address_);
  co_await RejectUnreadable(503, Status::Unavailable("Too many connections from this address")
                                     .WithReason("TooManyConnections")
                                     .WithRetryAfter(1));
  co_await LingeringClose();
}

net::awaitable<beast::error_code> Connection::ReadHead(Exchange::HeaderParser& hp) {
  const ServerOptions& opts = host_.options();
  if (buffer_.size() == 0) {
    stream_.expires_after(opts.idle_timeout);
    auto [ec, n] = co_await stream_.async_read_some(buffer_.prepare(kHeadRead), kTuple);
    if (ec) co_return ec;
    buffer_.commit(n);
  }
  // The request has begun: from here the head has one deadline, however slowly it trickles in.
  idle_ = false;
  stream_.expires_after(opts.header_timeout);
  auto [ec, n] = co_await bhttp::async_read_header(stream_, buffer_, hp, kTuple);
  co_return ec;
}

std::chrono::steady_clock::time_point Connection::BodyReadDeadline(
    std::chrono::steady_clock::time_point body_start, uint64_t received) const {
  const ServerOptions& opts = host_.options();
  const auto per_read = std::chrono::steady_clock::now() + kIoTimeout;
  if (opts.body_min_rate == 0) return per_read;
  const auto earned =
      std::chrono::milliseconds(received / opts.body_min_rate * 1000 +
                                received % opts.body_min_rate * 1000 / opts.body_min_rate);
  return std::min<std::chrono::steady_clock::time_point>(per_read,
                                                         body_start + opts.body_timeout + earned);
}

net::awaitable<void> Connection::LingeringClose() {
  beast::error_code ec;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
  if (linger_ && !ec) {
    std::vector<char> sink(64 * 1024);
    size_t drained = 0;
    stream_.expires_after(kLingerTime);
    while (drained < kLingerBytes) {
      auto [rec, n] = co_await stream_.async_read_some(net::buffer(sink), kTuple);
      if (rec) break;
      drained += n;
    }
  }
  stream_.close();
}

net::awaitable<std::optional<bool>> ConnectionState::ServeRaw(RawExchange&) {
  co_return std::nullopt;
}

net::awaitable<std::optional<bool>> Connection::ServeRaw() {
  const ServerOptions& opts = host_.options();
  size_t searched = 0;
  size_t head = HeadLength(BufferView(buffer_));
  // The idle wait for a first byte, then one deadline for the whole head (as ReadHead): a client
  // trickling a byte now and then does not get a fresh timeout per read.
  const auto now = std::chrono::steady_clock::now();
  auto deadline = now + (buffer_.size() == 0 ? opts.idle_timeout : opts.header_timeout);
  while (head == 0) {
    if (buffer_.size() >= opts.max_header_bytes) co_return std::nullopt;  // the parser says 431
    searched = buffer_.size();
    const size_t room = std::max(kHeadRead, buffer_.capacity() - buffer_.size());
    // On the bare socket: the stream's timer would cost two timer-queue updates per request.
    if (!raw_deadline_) raw_deadline_.emplace(stream_.get_executor());
    raw_deadline_->Start(stream_.socket(), deadline - std::chrono::steady_clock::now());
    auto [ec, n] = co_await stream_.socket().async_read_some(buffer_.prepare(room), kTuple);
    raw_deadline_->Stop();
    if (ec) co_return false;  // eof, timeout, stop, reset: just close (as ServeOne does)
    if (buffer_.size() == 0) {
      deadline = std::min<std::chrono::steady_clock::time_point>(
          deadline, std::chrono::steady_clock::now() + opts.header_timeout);
    }
    buffer_.commit(n);
    head = HeadLength(BufferView(buffer_), searched);
  }
  idle_ = false;
  // Only bodiless requests are served raw; a head that speaks of a body goes to the general path,
  // which checks its framing (framing.h) before anything is forwarded.
  if (HeadHasFramingField(BufferView(buffer_).substr(0, head))) co_return std::nullopt;
  RawExchange rx(*this, head);
  std::optional<bool> served = co_await state_->ServeRaw(rx);
  co_return served;
}

net::awaitable<bool> Connection::ServeOne() {
  idle_ = true;
  if (host_.stopping()) co_return false;
  if (state_ && state_->WantsRaw()) {
    std::optional<bool> served = co_await ServeRaw();
    if (served) co_return *served;
    idle_ = false;  // the header is buffered: reading it below is parsing only
  }
  const ServerOptions& opts = host_.options();
  Exchange::HeaderParser hp;
  hp.header_limit(static_cast<uint32_t>(std::min<size_t>(opts.max_header_bytes, UINT32_MAX)));
  hp.body_limit(boost::none);  // enforced by the route kind's step
  const beast::error_code ec = co_await ReadHead(hp);
  idle_ = false;
  if (ec) {
    co_await RejectHead(ec);
    co_return false;  // eof, timeout, stop, reset: just close
  }
  const auto start = std::chrono::steady_clock::now();
  Request req;
  req.remote_address = remote_address_;
  if (listener_url_) req.listener_url = *listener_url_;
  Status parsed = BuildRequest(hp.get(), req);
  req.request_id = PickRequestId(req);
  const bool body_pending = !hp.is_done();

  // Before routing, so that a proxied request with ambiguous framing never reaches an app either.
  // The connection closes after the 400: where this request ends is exactly what is unknown.
  if (Status framed = CheckFraming(hp.get()); !framed.ok()) {
    Reply reply{Response::Error(framed), true};
    const bool more = co_await Answer(req, std::move(reply), start);
    co_return more;
  }
  const Router::Match match = parsed.ok() ? router_.Find(req) : Router::Match{};
  if (match.exchange) {
    const bool more = co_await ServeExchange(*match.exchange, req, hp, start);
    co_return more;
  }
  std::optional<Reply> reply;
  if (!parsed.ok()) {
    reply = Reply{Response::Error(parsed), body_pending};
  } else if (!match.route) {
    reply = Reply{NoRoute(match), body_pending};
  } else if (!Router::IsStreaming(*match.route)) {
    reply = co_await ServeBuffered(*match.route, req, hp);
  } else {
    reply = co_await ServeStreaming(*match.route, req, hp);
  }
  if (!reply) co_return false;  // the client went away mid-body
  const bool more = co_await Answer(req, std::move(*reply), start);
  co_return more;
}

net::awaitable<void> Connection::RejectHead(const beast::error_code& ec) {
  if (ec == bhttp::error::header_limit) {
    co_await RejectUnreadable(431, Status(Code::kInvalidArgument, "Request header too large")
                                       .WithReason("RequestHeaderFieldsTooLarge"));
  } else if (IsFramingError(ec)) {
    co_await RejectUnreadable(400,
                              Status::InvalidArgument("Ambiguous request framing: " + ec.message())
                                  .WithReason("BadRequestFraming"));
  } else if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
             ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
    co_await RejectUnreadable(400, Status::InvalidArgument("Malformed HTTP request"));
  }
}

net::awaitable<bool> Connection::Answer(const Request& req, Reply reply,
                                        std::chrono::steady_clock::time_point start) {
  linger_ = reply.close_after;
  const bool keep_alive = req.keep_alive && !reply.close_after && !host_.stopping();
  Outcome out = co_await WriteResponse(req, std::move(reply.resp), keep_alive);
  LogAccess(req, out, start);
  co_return out.ok&& keep_alive;
}

net::awaitable<std::optional<Connection::Reply>> Connection::ServeBuffered(
    const Router::Route& route, Request& req, Exchange::HeaderParser& hp) {
  // Everything about the body is decided from the head, before a byte of it is read: who may
  // send one, how large, and whether memory for it is free.
  BodyReservation reservation(host_.body_budget());
  if (!hp.is_done()) {
    const BodyRules& rules = Router::Rules(route);
    const uint64_t limit = BufferedBodyLimit(host_.options(), rules);
    const auto cl = hp.content_length();
    Status refused;
    if (!rules.anonymous) refused = router_.CheckCredentials(req);
    if (refused.ok() && cl && *cl > limit) {
      refused = Status::PayloadTooLarge("Request body too large");
    } else if (refused.ok() && cl && !reservation.GrowTo(*cl)) {
      refused = *cl > host_.body_budget().total()
                    ? Status::PayloadTooLarge("Request body too large")
                    : BodyMemoryFull();
    }
    if (!refused.ok()) co_return Reply{Response::Error(refused), true};
    if (ExpectsContinue(req)) {
      const bool sent = co_await WriteContinue();
      if (!sent) co_return std::nullopt;
    }
    std::optional<Status> read = co_await ReadWholeBody(req, hp, limit, reservation);
    if (!read) co_return std::nullopt;
    if (!read->ok()) co_return Reply{Response::Error(*read), true};
  }
  Reply reply;
  if (Router::Rules(route).offload) {
    reply.resp = co_await InvokeOffloaded(route, req);
  } else {
    reply.resp = Guarded("handler", req.request_id, [&] { return Router::Invoke(route, req); });
  }
  std::string().swap(req.body);  // the reservation ends here, so must the memory it stands for
  co_return reply;
}

net::awaitable<Response> Connection::InvokeOffloaded(const Router::Route& route, Request& req) {
  // The request stays in this coroutine's frame, which waits here until the handler returned.
  Response resp = co_await net::co_spawn(
      host_.slow_executor(),
      [&route, &req]() -> net::awaitable<Response> {
        co_return Guarded("handler", req.request_id, [&] { return Router::Invoke(route, req); });
      },
      net::use_awaitable);
  co_return resp;
}

net::awaitable<std::optional<Status>> Connection::ReadWholeBody(Request& req,
                                                                Exchange::HeaderParser& hp,
                                                                uint64_t limit,
                                                                BodyReservation& reservation) {
  bhttp::request_parser<bhttp::string_body> bp(std::move(hp));
  bp.body_limit(limit);
  // The buffer was sized for headers; Beast reads at most its free capacity (min 512 B), so
  // without room every body read would be a 512-byte syscall.
  buffer_.reserve(kStreamChunk);
  const auto body_start = std::chrono::steady_clock::now();
  uint64_t received = 0;
  while (!bp.is_done()) {
    stream_.expires_at(BodyReadDeadline(body_start, received));
    auto [rec, rn] = co_await bhttp::async_read_some(stream_, buffer_, bp, kTuple);
    received += rn;
    if (rec == bhttp::error::body_limit)
      co_return Status::PayloadTooLarge("Request body too large");
    if (rec) {
      spdlog::info("request aborted rid={} path={} error={}", req.request_id, req.path,
                   rec.message());
      co_return std::nullopt;
    }
    // A chunked body grows as it comes (a sized one was reserved whole above): what it holds in
    // memory is its capacity.
    if (!reservation.GrowTo(bp.get().body().capacity())) co_return BodyMemoryFull();
  }
  req.body = std::move(bp.get().body());
  co_return Status::Ok();
}

net::awaitable<std::optional<Connection::Reply>> Connection::ServeStreaming(
    const Router::Route& route, Request& req, Exchange::HeaderParser& hp) {
  const bool body_pending = !hp.is_done();
  Result<std::unique_ptr<BodySink>> opened = Guarded(
      "stream handler", req.request_id, [&] { return Router::InvokeStreaming(route, req); });
  if (!opened.ok()) co_return Reply{Response::Error(opened.status()), body_pending};
  std::unique_ptr<BodySink> sink = std::move(opened).value();
  if (body_pending) {
    if (ExpectsContinue(req)) {
      const bool sent = co_await WriteContinue();
      if (!sent) co_return std::nullopt;
    }
    std::optional<Reply> refused;
    const bool read = co_await StreamBody(*sink, req, hp, refused);
    if (!read) co_return std::nullopt;  // `sink` is destroyed without Finish()
    if (refused) co_return std::move(*refused);
  }
  co_return Reply{Guarded("body sink finish", req.request_id, [&] { return sink->Finish(); })};
}

net::awaitable<bool> Connection::StreamBody(BodySink& sink, Request& req,
                                            Exchange::HeaderParser& hp,
                                            std::optional<Reply>& refused) {
  if (const auto length = hp.content_length(); length && !hp.chunked()) {
    co_return co_await StreamSizedBody(sink, req, *length, refused);
  }
  bhttp::request_parser<bhttp::buffer_body> bp(std::move(hp));
  bp.body_limit(boost::none);
  buffer_.reserve(kStreamChunk);  // see ReadWholeBody: reads fill free capacity only
  std::vector<char> chunk(kStreamChunk);
  const auto body_start = std::chrono::steady_clock::now();
  uint64_t received = 0;
  while (!bp.is_done()) {
    bp.get().body().data = chunk.data();
    bp.get().body().size = chunk.size();
    stream_.expires_at(BodyReadDeadline(body_start, received));
    auto [rec, rn] = co_await bhttp::async_read(stream_, buffer_, bp, kTuple);
    if (rec == bhttp::error::need_buffer) rec = {};
    if (rec) {
      spdlog::info("request aborted rid={} path={} error={}", req.request_id, req.path,
                   rec.message());
      co_return false;
    }
    const size_t got = chunk.size() - bp.get().body().size;
    received += got;
    if (got == 0) continue;
    const std::string_view piece(chunk.data(), got);
    Status st = Guarded("body sink", req.request_id, [&] { return sink.Write(piece); });
    if (!st.ok()) {
      refused = Reply{Response::Error(st), !bp.is_done()};
      co_return true;
    }
  }
  co_return true;
}

// Beast's parser would read each piece into buffer_ and copy it out again; with the length known
// there is nothing to parse, so the socket fills the piece itself (one copy fewer per byte of a
// large upload). What the head's read already holds goes first, and nothing past the body is
// taken: a pipelined next request stays in buffer_.
net::awaitable<bool> Connection::StreamSizedBody(BodySink& sink, Request& req, uint64_t length,
                                                 std::optional<Reply>& refused) {
  uint64_t left = length;
  auto hand_over = [&](std::string_view piece) {
    left -= piece.size();
    Status st = Guarded("body sink", req.request_id, [&] { return sink.Write(piece); });
    if (!st.ok()) refused = Reply{Response::Error(st), left > 0};
    return st.ok();
  };
  if (const size_t early = static_cast<size_t>(std::min<uint64_t>(buffer_.size(), left))) {
    const auto* data = static_cast<const char*>(buffer_.data().data());
    const bool taken = hand_over(std::string_view(data, early));
    buffer_.consume(early);
    if (!taken) co_return true;
  }
  std::vector<char> chunk(static_cast<size_t>(std::min<uint64_t>(kStreamChunk, left)));
  const auto body_start = std::chrono::steady_clock::now();
  uint64_t received = 0;
  while (left > 0) {
    stream_.expires_at(BodyReadDeadline(body_start, received));
    const size_t want = static_cast<size_t>(std::min<uint64_t>(chunk.size(), left));
    auto [ec, n] = co_await stream_.async_read_some(net::buffer(chunk.data(), want), kTuple);
    if (ec) {
      spdlog::info("request aborted rid={} path={} error={}", req.request_id, req.path,
                   ec.message());
      co_return false;
    }
    received += n;
    if (!hand_over(std::string_view(chunk.data(), n))) co_return true;
  }
  co_return true;
}

net::awaitable<bool> Connection::ServeExchange(const ExchangeHandler& handler, Request& req,
                                               Exchange::HeaderParser& hp,
                                               std::chrono::steady_clock::time_point start) {
  Exchange ex(*this, req, hp);
  bool more = false;
  try {
    more = co_await handler(ex);
  } catch (const std::exception& e) {
    spdlog::error("exchange handler threw rid={} what={}", req.request_id, e.what());
  } catch (...) {
    spdlog::error("exchange handler threw rid={} (unknown exception)", req.request_id);
  }
  Outcome out;
  out.ok = ex.complete();
  out.status = ex.status();
  out.bytes = ex.bytes();
  LogAccess(req, out, start);
  co_return more&& out.ok && !host_.stopping();
}

Exchange::Exchange(Connection& conn, Request& req, HeaderParser& parser)
    : conn_(conn), req_(req), parser_(parser) {}

beast::tcp_stream& Exchange::stream() { return conn_.stream_; }
beast::flat_buffer& Exchange::buffer() { return conn_.buffer_; }
std::unique_ptr<ConnectionState>& Exchange::connection_state() { return conn_.state_; }
const ServerOptions& Exchange::options() const { return conn_.host_.options(); }
bool Exchange::keep_alive() const { return req_.keep_alive && !conn_.host_.stopping(); }

net::awaitable<bool> Exchange::Respond(Response resp) {
  const bool body_pending = !body_read_ && !parser_.is_done();
  conn_.linger_ = body_pending;
  const bool keep = keep_alive() && !body_pending;
  Connection::Outcome out = co_await conn_.WriteResponse(req_, std::move(resp), keep);
  Record(out.status, out.bytes, out.ok);
  co_return out.ok&& keep;
}

std::chrono::steady_clock::time_point Exchange::BodyReadDeadline(
    std::chrono::steady_clock::time_point body_start, uint64_t received) const {
  return conn_.BodyReadDeadline(body_start, received);
}

net::awaitable<bool> Exchange::ContinueIfExpected() {
  if (body_read_ || parser_.is_done() || !ExpectsContinue(req_)) co_return true;
  const bool sent = co_await conn_.WriteContinue();
  co_return sent;
}

void Exchange::Record(int status, uint64_t bytes, bool complete) {
  status_ = status;
  bytes_ = bytes;
  complete_ = complete;
}

net::awaitable<void> Connection::RejectUnreadable(int http_status, Status status) {
  const auto start = std::chrono::steady_clock::now();
  Request req;
  req.method = Method::kOther;
  req.path = "-";
  req.request_id = RandomHex(8);
  Response resp = Response::Error(status);
  resp.status = http_status;
  linger_ = true;
  Outcome out = co_await WriteResponse(req, std::move(resp), false);
  LogAccess(req, out, start);
}

net::awaitable<bool> Connection::WriteContinue() {
  static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
  stream_.expires_after(kIoTimeout);
  auto [ec, n] = co_await net::async_write(stream_, net::buffer(kContinue), kTuple);
  co_return !ec;
}

RawExchange::RawExchange(Connection& conn, size_t head_bytes)
    : conn_(conn), head_bytes_(head_bytes), start_(std::chrono::steady_clock::now()) {}

std::string_view RawExchange::head() const {
  return BufferView(conn_.buffer_).substr(0, head_bytes_);
}
beast::tcp_stream& RawExchange::stream() { return conn_.stream_; }
beast::flat_buffer& RawExchange::buffer() { return conn_.buffer_; }
const ServerOptions& RawExchange::options() const { return conn_.host_.options(); }
const std::string& RawExchange::remote_address() const { return conn_.remote_address_; }
bool RawExchange::stopping() const { return conn_.host_.stopping(); }

net::awaitable<bool> RawExchange::Respond(const Request& req, Response resp, bool keep_alive) {
  const bool keep = keep_alive && !stopping();
  Connection::Outcome out = co_await conn_.WriteResponse(req, std::move(resp), keep);
  conn_.LogAccess(req, out, start_);
  co_return out.ok&& keep;
}

void RawExchange::Log(std::string_view request_id, std::string_view method, std::string_view target,
                      int status, uint64_t bytes, bool complete) const {
  Connection::Outcome out;
  out.ok = complete;
  out.status = status;
  out.bytes = bytes;
  conn_.LogAccess(request_id, method, target.substr(0, target.find('?')), out, start_,
                  /*raw=*/true);
}

void Connection::LogAccess(const Request& req, const Outcome& out,
                           std::chrono::steady_clock::time_point start) const {
  LogAccess(req.request_id, MethodName(req.method), req.path, out, start);
}

void Connection::LogAccess(std::string_view request_id, std::string_view method,
                           std::string_view path, const Outcome& out,
                           std::chrono::steady_clock::time_point start, bool raw) const {
  if (!spdlog::should_log(spdlog::level::info)) return;
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start)
                .count();
  spdlog::info("request rid={} method={} path={} status={} bytes={} ms={}{}{}", request_id, method,
               path, out.status, out.bytes, ms, raw ? " raw=1" : "", out.ok ? "" : " aborted=1");
}

}  // namespace spacehub::http
