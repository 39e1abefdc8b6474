// Exchange: one request handed, with only its header read, to a handler that owns the connection's
// stream for the rest of the exchange: it reads the body itself (through the header parser), writes
// the response itself, or tunnels bytes both ways after an Upgrade. This is how a reverse proxy
// lives inside the http layer without the http layer knowing what it proxies to.
//
// Contract: the handler returns true only when the request was read completely and a complete
// response went out, so the connection may serve the next request (keep-alive); false closes it.
// Threading: runs on the connection's strand, as part of its coroutine; the Exchange and everything
// it refers to live until the handler's coroutine returns. Not shared between threads.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "http/request.h"
#include "http/response.h"

namespace spacehub::http {

class Connection;
class RawExchange;
struct ServerOptions;

// State an exchange handler keeps with the visitor's connection across its requests (a proxy's
// connection to the app it talked to last). Destroyed on the connection's strand when the
// connection ends, before its socket closes.
class ConnectionState {
 public:
  virtual ~ConnectionState() = default;

  // Whether the next request should be offered to ServeRaw first.
  virtual bool WantsRaw() const { return false; }
  // Offered the next request of the connection, its header complete in the connection's buffer,
  // before the general parser sees it: serving it here skips building a Request and routing (a
  // proxy's hot path). Returns nullopt to decline, having consumed and written nothing (the general
  // path then serves the request); otherwise whether the connection may serve another request.
  virtual boost::asio::awaitable<std::optional<bool>> ServeRaw(RawExchange& rx);
};

class Exchange final {
 public:
  using HeaderParser = boost::beast::http::request_parser<boost::beast::http::empty_body>;

  Exchange(Connection& conn, Request& req, HeaderParser& parser);
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;

  Request& request() { return req_; }
  // The header is parsed; when !parser().is_done() the body is still unread in stream()/buffer().
  HeaderParser& parser() { return parser_; }
  boost::beast::tcp_stream& stream();
  // Bytes already read from the client past the header (the start of the body, or pipelined data).
  boost::beast::flat_buffer& buffer();
  const ServerOptions& options() const;
  // The client allows another request on this connection and the server is not stopping.
  bool keep_alive() const;

  // Lives as long as the connection; null until a handler puts something there.
  std::unique_ptr<ConnectionState>& connection_state();

  // Writes `resp` exactly as a routed handler's response is written (Range, HEAD, file bodies). An
  // unread request body makes the connection close afterwards. Returns whether it may go on.
  boost::asio::awaitable<bool> Respond(Response resp);
  // The handler read the request body to its end through its own parser (moved from parser()).
  void BodyRead() { body_read_ = true; }
  // The deadline for the next read of the request body, `received` bytes of it in since
  // `body_start`: the server's whole-body deadline (--body-timeout, --body-min-rate-kb), and at
  // most the per-read timeout from now. For handlers that read the body themselves.
  std::chrono::steady_clock::time_point BodyReadDeadline(
      std::chrono::steady_clock::time_point body_start, uint64_t received) const;
  // Sends "100 Continue" when the client asked for it (before reading the body itself).
  boost::asio::awaitable<bool> ContinueIfExpected();
  // What the access log records when the handler wrote the response itself.
  void Record(int status, uint64_t bytes, bool complete);

  int status() const { return status_; }
  uint64_t bytes() const { return bytes_; }
  bool complete() const { return complete_; }

 private:
  Connection& conn_;
  Request& req_;
  HeaderParser& parser_;
  int status_ = 0;
  uint64_t bytes_ = 0;
  bool complete_ = false;
  bool body_read_ = false;
};

// One request offered raw to a ConnectionState: its header is the first head().size() bytes of
// buffer(); nothing of it is consumed yet. Threading as Exchange.
class RawExchange final {
 public:
  RawExchange(Connection& conn, size_t head_bytes);
  RawExchange(const RawExchange&) = delete;
  RawExchange& operator=(const RawExchange&) = delete;

  // The request header, up to and including the blank line.
  std::string_view head() const;
  boost::beast::tcp_stream& stream();
  boost::beast::flat_buffer& buffer();
  const ServerOptions& options() const;
  const std::string& remote_address() const;
  // The server is shutting down: no further request on this connection.
  bool stopping() const;
  std::chrono::steady_clock::time_point start() const { return start_; }

  // Writes `resp` to `req` (a Request the handler made for it) as a routed handler's response is
  // written. Returns whether the connection may go on (keep_alive and the write succeeded).
  boost::asio::awaitable<bool> Respond(const Request& req, Response resp, bool keep_alive);
  // The access log line of a request served raw.
  void Log(std::string_view request_id, std::string_view method, std::string_view target,
           int status, uint64_t bytes, bool complete) const;

 private:
  Connection& conn_;
  size_t head_bytes_;
  std::chrono::steady_clock::time_point start_;
};

// The Method of a Beast verb (kOther for the rest).
Method ToMethod(boost::beast::http::verb v);

// The request id of a request served raw, as the connection picks it for others: the client's
// X-Request-Id or X-Amzn-Trace-Id when sane, else a fresh one.
std::string PickRequestId(std::string_view x_request_id, std::string_view x_amzn_trace_id);

// Serves one exchange; returns whether the connection may serve another request.
using ExchangeHandler = std::function<boost::asio::awaitable<bool>(Exchange&)>;
// Consulted with the parsed header before any route: true hands the request to the front handler.
using FrontClaim = std::function<bool(const Request&)>;

}  // namespace spacehub::http
